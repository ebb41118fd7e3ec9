from django.conf import settings
from django.db import models
from django.db.models import Q


class StructureKind(models.TextChoices):
    TERRITORY = "territory", "Territoire"
    DISTRICT = "district", "Circonscription"
    SCHOOL = "school", "École"


class Structure(models.Model):
    """A school or a district, in a tree: territory → district → school."""

    kind = models.CharField("type", max_length=16, choices=StructureKind.choices)
    uai = models.CharField("UAI", max_length=8, unique=True, null=True, blank=True)
    name = models.CharField("nom", max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name="structure parente",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/1/4/17/": the ids from the root down to this one, so that a district's
    # schools are one indexed prefix query, however deep the tree.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    type_struct = models.CharField("nature", max_length=16, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    town = models.CharField("commune", max_length=120, blank=True)
    source = models.CharField(max_length=8, default="manual")
    external_id = models.CharField(
        "identifiant source", max_length=64, blank=True, db_index=True
    )

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})" if self.uai else self.name

    @property
    def is_school(self) -> bool:
        return self.kind == StructureKind.SCHOOL


class Affiliation(models.Model):
    """A user belongs to a structure (a pupil to a school, a teacher to two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="affiliations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"], name="affiliation_unique"
            )
        ]
        indexes = [models.Index(fields=["structure", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.structure_id}"


class SchoolClass(models.Model):
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="classes"
    )
    # The calendar year the school year starts in: 2026 for 2026-2027.
    school_year = models.PositiveSmallIntegerField("année scolaire")
    name = models.CharField("nom", max_length=100)
    # The feed's class code, stable across deliveries; the name may change.
    code = models.CharField("code", max_length=64, blank=True)
    levels = models.JSONField("niveaux", default=list, blank=True)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ClassTeacher",
        related_name="taught_classes",
    )
    pupils = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ClassPupil",
        related_name="pupil_classes",
    )

    class Meta:
        verbose_name = "classe"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "school_year", "name"], name="class_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClassTeacher(models.Model):
    klass = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="teacher_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_links"
    )
    is_main = models.BooleanField("professeur principal", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "user"], name="class_teacher_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} teaches {self.klass_id}"


class ClassPupil(models.Model):
    klass = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="pupil_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupil_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["klass", "user"], name="class_pupil_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.klass_id}"


class Link(models.Model):
    """A parent (or other relative) of a child; legal representatives flagged."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="child_links"
    )
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links"
    )
    legal_representative = models.BooleanField("représentant légal", default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} -> {self.child_id}"


class GroupKind(models.TextChoices):
    PROFILE = "profile", "Profil"
    CLASS = "class", "Classe"
    FUNCTION = "function", "Fonction"
    MANUAL = "manual", "Manuel"
    FAVOURITES = "favourites", "Favoris"


class GroupRole(models.TextChoices):
    """What a dynamic group gathers; manual and favourite groups have none."""

    PUPILS = "pupils", "Élèves"
    PARENTS = "parents", "Parents"
    TEACHERS = "teachers", "Enseignants"
    STAFF = "staff", "Personnels"
    ADML = "adml", "ADML"
    DIRECTION = "direction", "Direction"
    DISTRICT_STAFF = "district_staff", "Personnels de circonscription"
    PROJECT_LEAD = "project_lead", "Chefs de projet ENT"
    NONE = "", "—"


# Function groups that administer a structure and everything below it.
ADMIN_ROLES = frozenset(
    {
        GroupRole.ADML,
        GroupRole.DIRECTION,
        GroupRole.DISTRICT_STAFF,
        GroupRole.PROJECT_LEAD,
    }
)


class Group(models.Model):
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="groups"
    )
    kind = models.CharField("type", max_length=16, choices=GroupKind.choices)
    role = models.CharField(
        "rôle", max_length=16, choices=GroupRole.choices, blank=True, default=""
    )
    klass = models.ForeignKey(
        SchoolClass,
        verbose_name="classe",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="groups",
    )
    name = models.CharField("nom", max_length=200)
    # The favourites list's owner; empty for every other kind.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="owned_groups",
    )
    # Inner rule: members may write to each other.
    inner_communication = models.BooleanField(
        "les membres communiquent entre eux", default=False
    )
    # A manual group is visible to nobody until these groups are named.
    visible_to = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="sees"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="member_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "groupe"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "kind", "role"],
                condition=Q(kind__in=["profile", "function"]),
                name="group_unique_school_role",
            ),
            models.UniqueConstraint(
                fields=["klass", "role"],
                condition=Q(kind="class"),
                name="group_unique_class_role",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dynamic(self) -> bool:
        return self.kind in (GroupKind.PROFILE, GroupKind.CLASS, GroupKind.FUNCTION)


class Membership(models.Model):
    """Stored membership: a rule check or a message to a group is one query."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="membership_unique")
        ]
        indexes = [models.Index(fields=["group", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class CommunicationRule(models.Model):
    """Members of `source` may write to members of `target`."""

    source = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="rules_out"
    )
    target = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="rules_in")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="rule_unique")
        ]
        indexes = [models.Index(fields=["target", "source"])]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"


class AppRight(models.Model):
    """Members of `group` may open the app `app` (a code of nati.portal.APPS)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="app_rights"
    )
    app = models.CharField("application", max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "app"], name="app_right_unique")
        ]
        indexes = [models.Index(fields=["app", "group"])]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.app}"


# --- Feeds: import runs, held deliveries, duplicates -------------------------


class ImportKind(models.TextChoices):
    AAF = "aaf", "AAF (flux quotidien)"
    ONDE = "onde", "ONDE (import manuel)"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "En cours"
    APPLIED = "applied", "Appliqué"
    DRY_RUN = "dry-run", "Simulation"
    HELD = "held", "Retenu"
    FAILED = "failed", "Échec"


class ImportRun(models.Model):
    """One import, scheduled or manual, real or dry: what it did, in its report."""

    kind = models.CharField("type", max_length=8, choices=ImportKind.choices)
    source_path = models.CharField("source", max_length=500)
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lancé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("début", auto_now_add=True)
    duration = models.FloatField("durée (s)", null=True, blank=True)
    status = models.CharField(
        "état", max_length=16, choices=ImportStatus.choices, default="running"
    )
    dry_run = models.BooleanField("simulation", default=False)
    # The report of directory.feeds.report.Report.to_dict(), as printed by --json.
    report = models.JSONField("rapport", default=dict, blank=True)
    # Progress of a queued run, for the console's polling: done / total steps.
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)

    class Meta:
        verbose_name = "import"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class HeldState(models.TextChoices):
    OPEN = "open", "En attente"
    APPLIED = "applied", "Appliqué quand même"
    IGNORED = "ignored", "Ignoré"


class HeldDelivery(models.Model):
    """A delivery that would have made too many of a structure disappear."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="held")
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="held_deliveries"
    )
    disappearing = models.PositiveIntegerField("disparitions")
    population = models.PositiveIntegerField("effectif")
    state = models.CharField(
        "état", max_length=8, choices=HeldState.choices, default=HeldState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "livraison retenue"
        ordering = ["-run__started_at", "-pk"]

    def __str__(self) -> str:
        return f"held {self.structure_id} ({self.state})"


class DuplicateState(models.TextChoices):
    OPEN = "open", "À examiner"
    DISSOCIATED = "dissociated", "Personnes différentes"
    MERGED = "merged", "Fusionnés"


class DuplicatePair(models.Model):
    """Two accounts that may be one person; user_a has the smaller id."""

    user_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        "état",
        max_length=12,
        choices=DuplicateState.choices,
        default=DuplicateState.OPEN,
    )
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "doublon possible"
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_a", "user_b"], name="duplicate_pair_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "user_a"])]

    def __str__(self) -> str:
        return f"{self.user_a_id} ~ {self.user_b_id} ({self.state})"


class PredeletionReprieve(models.Model):
    """ "Réintégrer": the feed may not pre-delete this user again before `until`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reprieve"
    )
    until = models.DateTimeField("jusqu'au")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "réintégration"

    def __str__(self) -> str:
        return f"reprieve {self.user_id} until {self.until:%Y-%m-%d}"
