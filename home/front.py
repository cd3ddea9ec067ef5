"""What the front page shows: 优课, the newest lessons, 学段/学科 links and training courses.

Every list is cut to a few items and read with its joins, so the page costs
the same few queries however large the library grows (tests hold it to that).
"""

from resources import api, listing
from resources.models import School
from training.models import CoursePage

# Two rows of three cards on a desktop, a short scroll on a phone.
FEATURED = 6
NEWEST = 6
COURSES = 4


def front_page(user):
    return {
        "featured": listing.featured_packages(user, FEATURED),
        "newest": listing.newest_packages(user, NEWEST),
        "subject_links": listing.subject_links(user),
        "courses": list(CoursePage.objects.live().order_by("-first_published_at", "-pk")[:COURSES]),
        # Anonymous visitors see public lessons only; tell them signing in shows the rest.
        "more_when_signed_in": not user.is_authenticated and api.hidden_from(user),
        "schools": School.objects.order_by("code")[:50],
    }
