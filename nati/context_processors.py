from django.conf import settings


def portal(request):
    return {"site_name": settings.NATI_SITE_NAME}
