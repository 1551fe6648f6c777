"""Microsoft Entra token endpoints and managed-identity endpoints of the Azure fake (azure.py).

Modelled (providers.md §2.5 and the Entra / managed-identity documentation):
- POST /{tenant}/oauth2/v2.0/token  client_credentials with client_secret, or with
  client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer + client_assertion
  (a federated token listed for the client in the seed: workload identity).
- GET /{tenant}/v2.0/.well-known/openid-configuration (and the v1 /{tenant}/.well-known/...),
  GET /common/discovery/instance (instance discovery), both pointing at this server.
- IMDS: GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=... (Metadata: true).
- App Service: GET <app_service_path>?api-version=2019-08-01&resource=... (X-IDENTITY-HEADER).
"""
import time

from azure_common import base_url, decode_jwt_unverified, make_token, parse_form, q1, split_url

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
IGNORED_SCOPES = {"openid", "profile", "offline_access", "email"}


def _tenant_name(tenant):
    return tenant.get("name") or tenant["id"]


class EntraMixin:
    """Mixed into the handler; uses self.state (AzureState)."""

    # --- Entra error shape -----------------------------------------------------------------
    def entra_error(self, status, error, code, description, extra_headers=None):
        st = self.state
        trace = st.ids.guid()
        corr = self.headers.get("client-request-id") or st.ids.guid()
        ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(st.clock.now()))
        desc = (f"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}"
                f"\r\nTimestamp: {ts}")
        body = {"error": error, "error_description": desc, "error_codes": [code],
                "timestamp": ts, "trace_id": trace, "correlation_id": corr,
                "error_uri": f"{base_url(self)}/error?code={code}"}
        headers = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache",
                   "x-ms-request-id": trace}
        if extra_headers:
            headers.update(extra_headers)
        return self.send_json(status, body, headers)

    def tenant_not_found(self, tenant_ref, error="invalid_request"):
        return self.entra_error(
            400, error, 90002,
            f"Tenant '{tenant_ref}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud. Check with your subscription administrator, "
            "this may happen if there are no active subscriptions for the tenant.")

    # --- dispatch --------------------------------------------------------------------------
    def try_entra(self, path, query, body):
        """Answers Entra / MI paths; returns False if the path is not one of them."""
        st = self.state
        if path.rstrip("/") == "/metadata/identity/oauth2/token":
            self.imds_token(query)
            return True
        if path.rstrip("/").lower() == st.app_service_path.rstrip("/").lower():
            self.app_service_token(query)
            return True
        if path == "/common/discovery/instance":
            self.instance_discovery(query)
            return True
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            self.token_endpoint(parts[0], body)
            return True
        if parts[1:] in (["v2.0", ".well-known", "openid-configuration"],
                         [".well-known", "openid-configuration"]) and len(parts) >= 3:
            self.openid_configuration(parts[0], v2=(parts[1] == "v2.0"))
            return True
        return False

    # --- metadata --------------------------------------------------------------------------
    def openid_configuration(self, tenant_ref, v2):
        tenant = self.state.find_tenant(tenant_ref)
        if tenant is None:
            return self.tenant_not_found(tenant_ref, error="invalid_tenant")
        b = base_url(self)
        tid = tenant["id"]
        host = b.split("://", 1)[1]
        if v2:
            doc = {
                "token_endpoint": f"{b}/{tid}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                          "client_secret_basic"],
                "jwks_uri": f"{b}/{tid}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{b}/{tid}/v2.0",
                "request_uri_parameter_supported": False,
                "authorization_endpoint": f"{b}/{tid}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{b}/{tid}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{b}/{tid}/oauth2/v2.0/logout",
                "tenant_region_scope": "EU",
                "cloud_instance_name": host,
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
            }
        else:
            doc = {
                "token_endpoint": f"{b}/{tid}/oauth2/token",
                "jwks_uri": f"{b}/common/discovery/keys",
                "issuer": f"https://sts.windows.net/{tid}/",
                "authorization_endpoint": f"{b}/{tid}/oauth2/authorize",
                "end_session_endpoint": f"{b}/{tid}/oauth2/logout",
                "tenant_region_scope": "EU",
                "cloud_instance_name": host,
            }
        self.send_json(200, doc, {"Cache-Control": "max-age=86400, private",
                                  "Access-Control-Allow-Origin": "*"})

    def instance_discovery(self, query):
        b = base_url(self)
        host = b.split("://", 1)[1]
        auth_ep = q1(query, "authorization_endpoint") or ""
        tenant = "common"
        if auth_ep:
            p = split_url(auth_ep)[0].strip("/").split("/")
            if p and p[0]:
                tenant = p[0]
        self.send_json(200, {
            "tenant_discovery_endpoint": f"{b}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        })

    # --- token endpoint --------------------------------------------------------------------
    def token_endpoint(self, tenant_ref, body):
        st = self.state
        if self.command != "POST":
            return self.entra_error(400, "invalid_request", 900561,
                                    "The endpoint only accepts POST, OPTIONS requests. Received a "
                                    f"{self.command} request.")
        tenant = st.find_tenant(tenant_ref)
        if tenant is None:
            return self.tenant_not_found(tenant_ref)
        form = parse_form(body)
        grant = form.get("grant_type")
        if not grant:
            return self.entra_error(400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: "
                                    "'grant_type'.")
        if grant != "client_credentials":
            return self.entra_error(400, "unsupported_grant_type", 70003,
                                    "The app requested an unsupported grant type "
                                    f"'{grant}'.")
        client_id = form.get("client_id")
        if not client_id:
            return self.entra_error(400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: "
                                    "'client_id'.")
        client = st.find_client(tenant["id"], client_id)
        if client is None:
            return self.entra_error(
                400, "unauthorized_client", 700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{_tenant_name(tenant)}'. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in the "
                "tenant. You may have sent your authentication request to the wrong tenant.")
        secret = form.get("client_secret")
        assertion = form.get("client_assertion")
        if secret is None and assertion is None:
            return self.entra_error(401, "invalid_client", 7000218,
                                    "The request body must contain the following parameter: "
                                    "'client_assertion' or 'client_secret'.")
        if secret is not None:
            if secret not in client.get("client_secrets", []):
                return self.entra_error(
                    401, "invalid_client", 7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request "
                    "is the client secret value, not the client secret ID, for a secret added to "
                    f"app '{client_id}'.")
        else:
            if form.get("client_assertion_type") != JWT_BEARER:
                return self.entra_error(400, "invalid_request", 50027,
                                        "Invalid client_assertion_type: expected "
                                        f"'{JWT_BEARER}'.")
            decoded = decode_jwt_unverified(assertion)
            if decoded is None:
                return self.entra_error(401, "invalid_client", 50027,
                                        "JWT token is invalid or malformed.")
            claims = decoded[1]
            exp = claims.get("exp")
            if isinstance(exp, (int, float)) and exp < st.clock.now():
                return self.entra_error(401, "invalid_client", 700024,
                                        "Client assertion is not within its valid time range.")
            if assertion not in client.get("federated_tokens", []):
                return self.entra_error(
                    401, "invalid_client", 700213,
                    "No matching federated identity record found for presented assertion subject "
                    f"'{claims.get('sub', '')}'. Check your federated identity credential Subject, "
                    "Audience and Issuer against the presented assertion.")
        scope = form.get("scope")
        if not scope:
            return self.entra_error(400, "invalid_request", 900144,
                                    "The request body must contain the following parameter: "
                                    "'scope'.")
        scopes = [s for s in scope.split() if s not in IGNORED_SCOPES]
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            bad = scopes[0] if scopes else scope
            return self.entra_error(
                400, "invalid_scope", 1002012,
                f"The provided value for scope {bad} is not valid. Client credential flows must "
                "have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).")
        requested = scopes[0][: -len("/.default")]
        aud = st.resource_audience(requested)
        if aud is None:
            return self.entra_error(
                400, "invalid_resource", 500011,
                f"The resource principal named {requested} was not found in the tenant named "
                f"{_tenant_name(tenant)}. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in the "
                "tenant. You might have sent your authentication request to the wrong tenant.")
        now = st.clock.now_int()
        life = int(st.seed.get("token_lifetime", 3599))
        claims = {
            "aud": aud, "iss": f"https://sts.windows.net/{tenant['id']}/",
            "iat": now, "nbf": now, "exp": now + life,
            "appid": client_id, "appidacr": "1" if secret is not None else "2",
            "idp": f"https://sts.windows.net/{tenant['id']}/", "idtyp": "app",
            "oid": client.get("object_id", client_id), "sub": client.get("object_id", client_id),
            "tid": tenant["id"], "ver": "1.0",
        }
        if form.get("claims"):
            claims["xms_cc"] = ["CP1"]
        token = make_token(st.signing_key, claims)
        self.send_json(200, {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life,
                             "access_token": token},
                       {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache",
                        "x-ms-request-id": st.ids.guid()})

    # --- managed identity ------------------------------------------------------------------
    def _pick_identity(self, selectors):
        """(identity, error_message). selectors: list of (field, value) given by the caller."""
        mis = self.state.seed.get("managed_identities", [])
        given = [(f, v) for f, v in selectors if v]
        if given:
            field, value = given[0]
            for mi in mis:
                if str(mi.get(field, "")).lower() == value.lower():
                    return mi, None
            return None, "Identity not found"
        system = [mi for mi in mis if mi.get("kind", "user") == "system"]
        if system:
            return system[0], None
        if len(mis) == 1:
            return mis[0], None
        if not mis:
            return None, "Identity not found"
        return None, ("Multiple user assigned identities exist, please specify the clientId / "
                      "resourceId of the identity in the token request")

    def _mi_token(self, mi, resource):
        st = self.state
        now = st.clock.now_int()
        life = int(st.seed.get("mi_token_lifetime", 86399))
        tid = mi.get("tenant") or st.vault_tenant
        claims = {
            "aud": resource, "iss": f"https://sts.windows.net/{tid}/",
            "iat": now, "nbf": now, "exp": now + life,
            "appid": mi["client_id"], "appidacr": "2", "idp": f"https://sts.windows.net/{tid}/",
            "idtyp": "app", "oid": mi.get("object_id", mi["client_id"]),
            "sub": mi.get("object_id", mi["client_id"]), "tid": tid, "ver": "1.0",
        }
        if mi.get("resource_id"):
            claims["xms_mirid"] = mi["resource_id"]
        return make_token(st.signing_key, claims), now, life

    def imds_token(self, query):
        st = self.state
        if self.command != "GET":
            return self.send_json(405, {"error": "invalid_request",
                                        "error_description": "Method not allowed"})
        if (self.headers.get("Metadata") or "") != "true":
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Required metadata header not specified"})
        api = q1(query, "api-version")
        if not api:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Required query variable 'api-version' is missing"})
        if api not in st.imds_api_versions:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Invalid API version"})
        resource = q1(query, "resource")
        if not resource:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Required audience parameter not specified"})
        mi, err = self._pick_identity([("client_id", q1(query, "client_id")),
                                       ("object_id", q1(query, "object_id")),
                                       ("resource_id", q1(query, "msi_res_id") or q1(query, "mi_res_id"))])
        if mi is None:
            return self.send_json(400, {"error": "invalid_request", "error_description": err})
        aud = st.resource_audience(resource)
        if aud is None:
            return self.send_json(400, {
                "error": "invalid_resource",
                "error_description": f"AADSTS500011: The resource principal named {resource} was "
                                     "not found in the tenant."})
        token, now, life = self._mi_token(mi, aud)
        self.send_json(200, {
            "access_token": token, "client_id": mi["client_id"], "expires_in": str(life),
            "expires_on": str(now + life), "ext_expires_in": str(life), "not_before": str(now),
            "resource": resource, "token_type": "Bearer"})

    def app_service_token(self, query):
        st = self.state
        corr = st.ids.guid()
        if self.command != "GET":
            return self.send_json(405, {"statusCode": 405, "message": "Method not allowed",
                                        "correlationId": corr})
        header = self.headers.get("X-IDENTITY-HEADER")
        if not header or header != st.seed.get("identity_header"):
            return self.send_json(401, {"statusCode": 401,
                                        "message": "The X-IDENTITY-HEADER header is missing or invalid.",
                                        "correlationId": corr})
        api = q1(query, "api-version")
        if api != "2019-08-01":
            return self.send_json(400, {"statusCode": 400,
                                        "message": f"Unsupported api-version '{api}'.",
                                        "correlationId": corr})
        resource = q1(query, "resource")
        if not resource:
            return self.send_json(400, {"statusCode": 400, "message": "resource is required.",
                                        "correlationId": corr})
        mi, err = self._pick_identity([("client_id", q1(query, "client_id")),
                                       ("object_id", q1(query, "principal_id") or q1(query, "object_id")),
                                       ("resource_id", q1(query, "mi_res_id"))])
        if mi is None:
            return self.send_json(400, {"statusCode": 400,
                                        "message": "Unable to load the proper Managed Identity. " + err,
                                        "correlationId": corr})
        aud = st.resource_audience(resource)
        if aud is None:
            return self.send_json(400, {"statusCode": 400,
                                        "message": f"AADSTS500011: The resource principal named "
                                                   f"{resource} was not found in the tenant.",
                                        "correlationId": corr})
        token, now, life = self._mi_token(mi, aud)
        self.send_json(200, {"access_token": token, "expires_on": str(now + life),
                             "resource": resource, "token_type": "Bearer",
                             "client_id": mi["client_id"]})

