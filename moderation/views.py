from django.shortcuts import render

from nati import portal
from nati.access import app_required


@app_required(portal.ASSISTANCE)
def index(request):
    return render(request, "moderation/index.html")
