from django import template

from training.permissions import may_dashboard as allowed

register = template.Library()


@register.filter
def percent(value):
    """0..1 as a whole percentage for bars and labels."""
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def may_dashboard(user):

    return allowed(user)
