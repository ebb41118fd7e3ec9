from django.shortcuts import render

from directory.models import StructureKind
from nati import portal
from nati.access import app_required, console_structures


@app_required(portal.CONSOLE)
def console_home(request):
    schools = console_structures(request).filter(kind=StructureKind.SCHOOL)
    return render(request, "directory/console/home.html", {"schools": schools})
