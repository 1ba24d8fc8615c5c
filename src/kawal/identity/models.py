"""Matching index, duplicate queue and merges.

The index (``IdentityRecord`` and ``IdentityBlock``) is derived data: it is
rebuilt from people, aliases and relatives by ``kawal.identity.index`` and
holds nothing that is not already in those tables. It is identity-class data
all the same and is only read through the services of this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel

ID = DataClass.IDENTITY


class IdentityRecord(models.Model):
    """What matching needs of one child, flattened so a batch reads one table."""

    person = models.OneToOneField(
        "people.Person", primary_key=True, on_delete=models.CASCADE, related_name="identity_record"
    )
    full_name = classified(models.CharField(max_length=200), ID)
    aliases = classified(models.TextField(blank=True), ID)  # one per line
    parent_names = classified(models.TextField(blank=True), ID)  # one per line
    birth_date = classified(models.DateField(null=True), ID)
    birth_date_estimated = classified(models.BooleanField(default=False), ID)
    # Copied from a document: a date on a placeholder day is still a date, not a year.
    # A database default too, so rows written by a bulk load without it stay valid.
    birth_date_documented = classified(models.BooleanField(default=False, db_default=False), ID)
    age_min = classified(models.PositiveSmallIntegerField(null=True), ID)
    age_max = classified(models.PositiveSmallIntegerField(null=True), ID)
    as_of = models.DateField()  # the day the estimated age was true
    sex = classified(models.CharField(max_length=1, blank=True), ID)
    nik = classified(models.CharField(max_length=16, blank=True), ID)
    kelurahan = classified(models.CharField(max_length=13, blank=True), ID)
    school = classified(models.CharField(max_length=200, blank=True), DataClass.WHEREABOUTS)
    # The root record after merges; candidates are reported by root.
    root = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("matching record")

    def __str__(self) -> str:
        return f"record {self.person_id}"


class IdentitySighting(models.Model):
    """How a known child was written when a case was opened (or reopened) for them.

    The child's own record holds one spelling; the intake form that found
    them again may say "Kiki", another birth year, another kelurahan. Kept
    with the case it came from (and deleted with it), never as a child of
    its own: its keys are indexed under the child, so the next intake meets
    the child by it, and ``kawal dedupe`` fits on children written more
    than once. Read only by this app's index and batch.
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    full_name = classified(models.CharField(max_length=200), ID)
    aliases = classified(models.TextField(blank=True), ID)  # one per line
    birth_date = classified(models.DateField(null=True), ID)
    birth_date_estimated = classified(models.BooleanField(default=False), ID)
    birth_date_documented = classified(models.BooleanField(default=False), ID)
    age_min = classified(models.PositiveSmallIntegerField(null=True), ID)
    age_max = classified(models.PositiveSmallIntegerField(null=True), ID)
    as_of = models.DateField()  # the day the estimated age was true
    sex = classified(models.CharField(max_length=1, blank=True), ID)
    kelurahan = classified(models.CharField(max_length=13, blank=True), ID)
    school = classified(models.CharField(max_length=200, blank=True), DataClass.WHEREABOUTS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sighting")

    def __str__(self) -> str:
        return f"sighting {self.pk}"


class IdentityBlock(models.Model):
    """One blocking key of a child; a lookup meets rows with the same key and overlapping years."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    year_min = models.PositiveSmallIntegerField()
    year_max = models.PositiveSmallIntegerField()

    class Meta:
        # Covering the whole lookup (key, years, person), so PostgreSQL answers it
        # from the index alone: p95 48 ms instead of 163 ms at 1M children.
        indexes = [
            models.Index(
                fields=["key", "year_min", "year_max", "person"], name="identity_block_lookup"
            )
        ]

    def __str__(self) -> str:
        return self.key


class MatchModelState(models.Model):
    """The fitted model (m, u, prior, thresholds) and the batch checkpoint. One row."""

    parameters = models.JSONField(default=dict)
    fitted_at = models.DateTimeField(null=True)
    # When the parameters' frequency tables were last counted on the registry:
    # every run counts them again, as names and dates come and go between fits.
    counted_at = models.DateTimeField(null=True)
    # Batch progress: records changed after ``scanned_until`` (less the scan's
    # ``dedupe.COMMIT_MARGIN``) are still to be scanned.
    scanned_until = models.DateTimeField(null=True)
    run_started_at = models.DateTimeField(null=True)
    # Pairs scored so far in the run, for its progress bar.
    run_cursor = models.PositiveBigIntegerField(default=0)
    # The run's last pair scored, as person ids: where an interrupted run resumes.
    # A count of pairs would skip pairs when some before it were dropped (merged
    # in between); the pairs are in person-id order, so this point stays right.
    run_last_first = models.BigIntegerField(null=True)
    run_last_second = models.BigIntegerField(null=True)
    # The blocking keys' scheme the index was built with (``matching.BLOCK_KEYS_VERSION``):
    # ``kawal dedupe`` rebuilds the index when the code's scheme is newer.
    keys_version = models.PositiveSmallIntegerField(default=1)
    # The comparison the stored pairs were scored with (``matching.comparison_id``:
    # its version and the placeholder days): ``kawal dedupe`` compares everyone
    # again when the one in force differs.
    comparison = models.CharField(max_length=40, default="", blank=True)

    def __str__(self) -> str:
        return f"model fitted {self.fitted_at}"


class PairStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    MERGED = "merged", _("Merged")
    DIFFERENT = "different", _("Different children")


class PairSource(models.TextChoices):
    INTAKE = "intake", _("Intake")
    BATCH = "batch", _("Registry scan")


class DuplicatePair(UUIDModel, TimestampedModel):
    """Two child records that may be the same child, for a supervisor to decide."""

    first = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    band = models.CharField(max_length=8)
    explanation = classified(models.JSONField(default=list), ID)
    source = models.CharField(max_length=8, choices=PairSource.choices)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    reason = models.TextField(blank=True)
    # Which model gave ``probability`` (``matching.Model.version``: m, u and the
    # prior, which a run's counting rescales as the registry grows; not the
    # frequency tables): scores of different fits are not comparable, and a
    # decided pair becomes a label.
    model_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-probability", "created_at"]
        verbose_name = _("possible duplicate")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="duplicate_pair_queue")]


class Merge(UUIDModel):
    """A reviewer's decision that ``absorbed`` is the same child as ``survivor``.

    Nothing of either record is changed but ``absorbed.merged_into`` (and any
    repeat link the merge made, listed in ``repeat_links``), so undoing it
    restores exactly the state before.
    """

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(DuplicatePair, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    repeat_links = models.JSONField(default=list)  # [case_id, previous repeat_of_id]
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at"]
