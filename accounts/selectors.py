from accounts.models import User
from directory.models import Affiliation, ClassPupil, ClassTeacher, Link, Membership


def personal_data(user: User) -> dict:
    """What nati holds about `user`, for "Mes données". Other apps add their
    sections in later issues through the same dict."""
    return {
        "compte": {
            "identifiant": user.username,
            "prenom": user.first_name,
            "nom": user.last_name,
            "autres_prenoms": user.other_names,
            "profil": user.get_profile_display(),
            "date_naissance": user.birth_date.isoformat() if user.birth_date else None,
            "courriel": user.email,
            "portable": user.mobile,
            "adresse": user.address,
            "code_postal": user.postal_code,
            "commune": user.town,
            "devise": user.motto,
            "source": user.get_source_display(),
            "etat": user.get_account_state_display(),
            "derniere_connexion": user.last_login.isoformat()
            if user.last_login
            else None,
            "pre_supprime_le": (
                user.predeleted_at.isoformat() if user.predeleted_at else None
            ),
        },
        "structures": [
            {"uai": a.structure.uai, "nom": a.structure.name}
            for a in Affiliation.objects.filter(user=user).select_related("structure")
        ],
        "classes_eleve": [
            link.klass.name
            for link in ClassPupil.objects.filter(user=user).select_related("klass")
        ],
        "classes_enseignant": [
            link.klass.name
            for link in ClassTeacher.objects.filter(user=user).select_related("klass")
        ],
        "enfants": [
            {"prenom": link.child.first_name, "nom": link.child.last_name}
            for link in Link.objects.filter(parent=user).select_related("child")
        ],
        "responsables": [
            {"prenom": link.parent.first_name, "nom": link.parent.last_name}
            for link in Link.objects.filter(child=user).select_related("parent")
        ],
        "groupes": sorted(
            Membership.objects.filter(user=user).values_list("group__name", flat=True)
        ),
    }
