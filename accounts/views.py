import json

from django.http import HttpResponse
from django.shortcuts import render

from accounts.selectors import personal_data
from nati import portal
from nati.access import app_required


@app_required(portal.MES_DONNEES)
def my_data(request):
    return render(
        request, "accounts/my_data.html", {"data": personal_data(request.user)}
    )


@app_required(portal.MES_DONNEES)
def my_data_download(request):
    body = json.dumps(personal_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-nati.json"'
    return response
