"""Forms of the admin console and the Annuaire. Choices are always limited to
the school being administered: a value from elsewhere is an invalid choice."""

from django import forms

from accounts.models import AccountState, Profile
from directory import console_selectors
from directory.models import Group, GroupKind, Structure
from nati import portal


class UserFilterForm(forms.Form):
    q = forms.CharField(label="Nom", required=False, max_length=100)
    profile = forms.ChoiceField(
        label="Profil",
        required=False,
        choices=[("", "Tous")] + list(Profile.choices),
    )
    klass = forms.TypedChoiceField(
        label="Classe", required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(
        label="État du compte",
        required=False,
        choices=[("", "Tous")]
        + list(AccountState.choices)
        + [
            (console_selectors.BLOCKED, "Bloqué"),
            (console_selectors.PREDELETED, "Pré-supprimé"),
        ],
    )

    def __init__(self, *args, classes: list[tuple[int, str]], **kwargs):
        # The school's classes as (id, name), read once by the view for both
        # the options and the check: a class of another school is not a valid
        # choice.
        super().__init__(*args, **kwargs)
        self.fields["klass"].choices = [("", "Toutes"), *classes]


class TeacherAttachForm(forms.Form):
    teacher = forms.ModelChoiceField(label="Enseignant", queryset=None)
    is_main = forms.BooleanField(label="Professeur principal", required=False)

    def __init__(self, *args, school: Structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = console_selectors.school_teachers(school)


class _GroupChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _UserChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.last_name} {obj.first_name} ({obj.get_profile_display()})"


def _groups_field(label: str, **kwargs) -> _GroupChoice:
    """Groups of the school, chosen in a list; the form sets the queryset."""
    widget = forms.SelectMultiple(attrs={"size": 8})
    return _GroupChoice(
        label=label, required=False, queryset=None, widget=widget, **kwargs
    )


class ManualGroupForm(forms.Form):
    name = forms.CharField(label="Nom du groupe", max_length=200)
    members = _UserChoice(
        label="Membres",
        required=False,
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    visible_to = _groups_field(
        "Groupes qui voient ce groupe",
        help_text="Un groupe manuel n'est visible de personne tant qu'aucun "
        "groupe n'est choisi ici.",
    )
    written_by = _groups_field("Groupes qui peuvent lui écrire")
    may_write_to = _groups_field("Groupes à qui ses membres peuvent écrire")
    inner_communication = forms.BooleanField(
        label="Les membres peuvent s'écrire entre eux", required=False
    )

    def __init__(self, *args, school: Structure, group: Group | None = None, **kw):
        super().__init__(*args, **kw)
        self.fields["members"].queryset = console_selectors.school_users(
            school
        ).order_by("last_name", "first_name", "pk")
        groups = (
            Group.objects.filter(structure=school)
            .exclude(kind=GroupKind.FAVOURITES)
            .order_by("kind", "name")
        )
        if group is not None:
            groups = groups.exclude(pk=group.pk)
        for name in ("visible_to", "written_by", "may_write_to"):
            self.fields[name].queryset = groups


class AppRightForm(forms.Form):
    app = forms.ChoiceField(choices=[(code, a.name) for code, a in portal.APPS.items()])
    granted = forms.BooleanField(required=False)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False)
    structure = forms.ModelChoiceField(
        label="Structure",
        required=False,
        queryset=Structure.objects.order_by("name"),
        empty_label="Toutes",
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Toutes")] + [(a, a) for a in actions]


class _IdListField(forms.Field):
    """Ids of people, as many checkboxes of one name send them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError("Une personne choisie est inconnue.") from None


class FavouritesForm(forms.Form):
    name = forms.CharField(label="Nom de la liste", max_length=200)
    # Any id passes here; the view checks that each is within the owner's reach,
    # server-side, before saving.
    members = _IdListField(label="Membres", required=False)
