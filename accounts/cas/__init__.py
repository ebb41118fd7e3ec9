"""nati's CAS server (CAS 2.0/3.0 and SAML 1.1 validation) and its connectors."""
