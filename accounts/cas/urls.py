from django.urls import path

from accounts.cas import views

urlpatterns = [
    path("login", views.cas_login, name="cas-login"),
    path("logout", views.cas_logout, name="cas-logout"),
    path("validate", views.cas_validate, name="cas-validate"),
    path("serviceValidate", views.service_validate, name="cas-service-validate"),
    path(
        "p3/serviceValidate", views.p3_service_validate, name="cas-p3-service-validate"
    ),
    path("proxyValidate", views.proxy_validate, name="cas-proxy-validate"),
    path("p3/proxyValidate", views.proxy_validate, name="cas-p3-proxy-validate"),
    path("proxy", views.proxy, name="cas-proxy"),
    path("samlValidate", views.saml_validate, name="cas-saml-validate"),
    path("saml/validate", views.saml_validate, name="cas-saml-validate-alias"),
]
