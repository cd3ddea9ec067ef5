"""A figure that rests on teachers' uses, shown as 「<5」 when fewer than 5 distinct teachers stand behind it.

The roll-up keeps, per school, day and lesson, how many distinct teachers
made the uses, and no user ids. Distinct teachers over longer periods cannot
be recounted from it, so a cell's basis is a lower bound: for each consuming
school the largest daily count in the cell (a teacher belongs to one school,
so these add up across schools). Hiding on a lower bound errs on the side
of privacy. Offline bundles' plays name nobody and expose nobody: a cell made
of them alone is shown.
"""

from dataclasses import dataclass

SMALL = 5
HIDDEN = "<5"


@dataclass
class Cell:
    uses: int = 0
    online: int = 0  # the part made online, by signed-in teachers
    teachers: int = 0  # lower bound of the distinct teachers behind `online`

    def add(self, uses, online, teachers):
        self.uses += uses or 0
        self.online += online or 0
        self.teachers += teachers or 0

    @property
    def hidden(self):
        return self.online > 0 and self.teachers < SMALL

    @property
    def display(self):
        """The number, or 「<5」: what every view, export and the report show."""
        return HIDDEN if self.hidden else self.uses

    def __str__(self):
        return str(self.display)
