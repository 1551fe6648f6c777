// Conformance of the Azure fake (tests/fakes/azure.py) with the official SDKs:
// @azure/keyvault-secrets 4.11.2 + @azure/identity 4.13.1, plus plain fetch for wire details.
// The SDKs refuse bearer tokens over http and MSAL wants an https authority, so the fake serves
// HTTPS with the test CA; Node reads NODE_EXTRA_CA_CERTS only at start-up, so this file re-runs
// itself with it set (same argv/env otherwise, so `node --test` sees the same output).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");
const caFile = path.join(testsDir, "data", "tls", "ca.pem");

if (process.env.NODE_EXTRA_CA_CERTS !== caFile) {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
  process.exit(r.status ?? 1);
}

const { test, before, after } = await import("node:test");
const assert = (await import("node:assert/strict")).default;
const { ClientSecretCredential, WorkloadIdentityCredential } = await import("@azure/identity");
const { SecretClient } = await import("@azure/keyvault-secrets");

const PY = process.env.KS_PYTHON3 || "python3";
const FAKES = process.env.KS_FAKES_DIR || path.join(testsDir, "fakes");
const SEED_FILE = path.join(testsDir, "data", "azure", "seed.json");
const SEED = JSON.parse(readFileSync(SEED_FILE, "utf8"));
const TENANT = SEED.tenants[0].id;
const OTHER_TENANT = SEED.tenants[1].id;
const ADMIN = { id: SEED.clients[0].client_id, secret: SEED.clients[0].client_secrets[0] };
const LIMITED = { id: SEED.clients[1].client_id, secret: SEED.clients[1].client_secrets[0] };
const FEDERATED = SEED.clients[2].client_id;
const FOREIGN = { id: SEED.clients[3].client_id, secret: SEED.clients[3].client_secrets[0] };
const HEX32 = /^[0-9a-f]{32}$/;

let proc;
let base; // https://127.0.0.1:PORT
let plainBase; // http://127.0.0.1:PORT (same state)

before(async () => {
  proc = spawn(PY, [path.join(FAKES, "azure.py"), "--seed", SEED_FILE,
    "--tls-cert", path.join(testsDir, "data", "tls", "server.pem"),
    "--tls-key", path.join(testsDir, "data", "tls", "server.key"),
    "--http-port", "0", "--max-seconds", "120"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`fake did not start: ${stderr}`)), 10000);
    proc.on("exit", (c) => reject(new Error(`fake exited ${c}: ${stderr}`)));
    proc.stdout.on("data", (d) => {
      out += d;
      const http = out.match(/^HTTP (\d+)$/m);
      const ready = out.match(/^READY (\d+) https$/m);
      if (http && ready) {
        plainBase = `http://127.0.0.1:${http[1]}`;
        base = `https://127.0.0.1:${ready[1]}`;
        clearTimeout(timer);
        resolve();
      }
    });
  });
});

after(() => {
  if (proc && proc.exitCode === null) proc.kill("SIGTERM");
});

// --- helpers -------------------------------------------------------------------------------
async function control(p, body) {
  const r = await fetch(base + p, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) }).catch((e) => { throw new Error(`${base}${p}: ${e.cause}`); });
  assert.equal(r.status, 200, `${p}: ${r.status}`);
  return r.json();
}
const reseed = (changes = {}) => control("/_fake/azure/seed", { ...structuredClone(SEED), ...changes });
const requests = () => control("/_fake/requests");
const resetLog = () => control("/_fake/reset", {});
const faults = (list) => control("/_fake/faults", list);

const fast = { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200, maxRetries: 3 } };

function secretCredential(who = ADMIN, tenant = TENANT) {
  return new ClientSecretCredential(tenant, who.id, who.secret, {
    authorityHost: base, disableInstanceDiscovery: true, ...fast,
  });
}
function client(credential = secretCredential(), extra = {}) {
  return new SecretClient(base, credential, { disableChallengeResourceVerification: true, ...fast, ...extra });
}
async function tokenFor(form) {
  const { tenant = TENANT, ...rest } = form;
  const r = await fetch(`${base}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", ...rest }),
  });
  return { status: r.status, body: await r.json() };
}
async function adminToken(scope = "https://vault.azure.net/.default", who = ADMIN, tenant = TENANT) {
  const r = await tokenFor({ tenant, client_id: who.id, client_secret: who.secret, scope });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}
async function kv(method, p, { token, body, query = "api-version=7.5" } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const url = `${base}${p}${query ? (p.includes("?") ? "&" : "?") + query : ""}`;
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}
async function rejectsWith(promise, check) {
  let err;
  try { await promise; } catch (e) { err = e; }
  assert.ok(err, "expected a rejection");
  check(err);
  return err;
}
const innerCode = (e) => e.details?.error?.innerError?.code ?? e.details?.error?.innererror?.code;
async function listAll(iter) { const out = []; for await (const x of iter) out.push(x); return out; }
function runMiChild(env, args) {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...env };
    for (const k of ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "MSI_ENDPOINT",
      "MSI_SECRET", "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
      "AZURE_FEDERATED_TOKEN_FILE"]) {
      if (!(k in env)) delete childEnv[k];
    }
    const c = spawn(process.execPath, [path.join(here, "azure_mi_child.mjs"), ...args],
      { env: childEnv, cwd: testsDir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    const timer = setTimeout(() => { c.kill("SIGKILL"); reject(new Error("MI child timed out")); }, 20000);
    c.stdout.on("data", (d) => { out += d; });
    c.stderr.on("data", (d) => { err += d; });
    c.on("exit", () => {
      clearTimeout(timer);
      try { resolve(JSON.parse(out.trim().split("\n").pop())); } catch { reject(new Error(`bad child output: ${out} ${err}`)); }
    });
  });
}

// --- wire-level checks (plain fetch) -------------------------------------------------------
test("challenge: 401 with WWW-Authenticate pointing at the fake's authority", async () => {
  await reseed();
  const r = await kv("GET", "/secrets/db-password");
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, "Unauthorized");
  assert.match(r.body.error.message, /^AKV10000/);
  assert.equal(r.headers.get("www-authenticate"),
    `Bearer authorization="${base}/${TENANT}", resource="https://vault.azure.net"`);
  assert.ok(r.headers.get("x-ms-request-id"));
  const b = await kv("GET", "/secrets/db-password", { token: "abc.def.ghi" });
  assert.equal(b.status, 401);
  assert.match(b.body.error.message, /^AKV10046/);
});

test("token endpoint: Entra error shapes", async () => {
  await reseed();
  const ok = await tokenFor({ client_id: ADMIN.id, client_secret: ADMIN.secret, scope: "https://vault.azure.net/.default" });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.token_type, "Bearer");
  assert.equal(typeof ok.body.expires_in, "number");
  const claims = JSON.parse(Buffer.from(ok.body.access_token.split(".")[1], "base64url"));
  assert.equal(claims.aud, "https://vault.azure.net");
  assert.equal(claims.tid, TENANT);
  assert.equal(claims.appid, ADMIN.id);

  const bad = await tokenFor({ client_id: ADMIN.id, client_secret: "wrong", scope: "https://vault.azure.net/.default" });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error, "invalid_client");
  assert.deepEqual(bad.body.error_codes, [7000215]);
  assert.match(bad.body.error_description, /^AADSTS7000215: /);
  for (const k of ["timestamp", "trace_id", "correlation_id"]) assert.ok(bad.body[k], k);

  const unknownApp = await tokenFor({ client_id: "99999999-9999-4999-8999-999999999999", client_secret: "x", scope: "https://vault.azure.net/.default" });
  assert.equal(unknownApp.status, 400);
  assert.equal(unknownApp.body.error, "unauthorized_client");
  assert.deepEqual(unknownApp.body.error_codes, [700016]);

  const tenant = await tokenFor({ tenant: "no-such-tenant.example", client_id: ADMIN.id, client_secret: ADMIN.secret, scope: "https://vault.azure.net/.default" });
  assert.equal(tenant.status, 400);
  assert.deepEqual(tenant.body.error_codes, [90002]);

  const scope = await tokenFor({ client_id: ADMIN.id, client_secret: ADMIN.secret, scope: "https://vault.azure.net" });
  assert.equal(scope.status, 400);
  assert.equal(scope.body.error, "invalid_scope");

  const byDomain = await tokenFor({ tenant: "kestratest.onmicrosoft.com", client_id: ADMIN.id, client_secret: ADMIN.secret, scope: "https://vault.azure.net/.default" });
  assert.equal(byDomain.status, 200);
});

test("vault: audience, tenant, api-version, name checks", async () => {
  await reseed();
  const storage = await adminToken("https://storage.azure.com/.default");
  const r1 = await kv("GET", "/secrets/db-password", { token: storage });
  assert.equal(r1.status, 401);
  assert.match(r1.body.error.message, /^AKV10022: Invalid audience/);
  assert.ok(r1.headers.get("www-authenticate"));

  const slash = await adminToken("https://vault.azure.net//.default");
  assert.equal((await kv("GET", "/secrets/db-password", { token: slash })).status, 401);

  const foreign = await adminToken("https://vault.azure.net/.default", FOREIGN, OTHER_TENANT);
  const r2 = await kv("GET", "/secrets/db-password", { token: foreign });
  assert.equal(r2.status, 401);
  assert.match(r2.body.error.message, /^AKV10032/);

  const token = await adminToken();
  const noVersion = await kv("GET", "/secrets/db-password", { token, query: "" });
  assert.equal(noVersion.status, 400);
  assert.equal(noVersion.body.error.code, "BadParameter");
  const badVersion = await kv("GET", "/secrets/db-password", { token, query: "api-version=9.9" });
  assert.equal(badVersion.status, 400);
  assert.match(badVersion.body.error.message, /The specified version \(9\.9\) is not recognized/);
  const badName = await kv("PUT", "/secrets/bad_name", { token, body: { value: "x" } });
  assert.equal(badName.status, 400);
  assert.equal(badName.body.error.code, "BadParameter");
  const tooLong = await kv("GET", `/secrets/${"a".repeat(128)}`, { token });
  assert.equal(tooLong.status, 400);

  const got = await kv("GET", "/secrets/DB-PASSWORD/", { token });
  assert.equal(got.status, 200);
  assert.equal(got.body.value, "new-pass");
  assert.equal(got.body.id, `${base}/secrets/db-password/fedcba9876543210fedcba9876543210`);
  assert.equal(got.body.attributes.created, 1700000100);
  assert.equal(got.body.attributes.recoveryLevel, "Recoverable+Purgeable");
});

test("vault: paging with nextLink, including empty pages", async () => {
  const names = Array.from({ length: 7 }, (_, i) => ({ name: `page-${i}`, value: `v${i}` }));
  await reseed({ secrets: names, page_size: 3, empty_pages: true });
  const token = await adminToken();
  const first = await kv("GET", "/secrets", { token });
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.value, []);
  assert.match(first.body.nextLink, /^https:\/\/127\.0\.0\.1:\d+\/secrets\?api-version=7\.5&\$skiptoken=/);
  let link = first.body.nextLink;
  const seen = [];
  let pages = 1;
  while (link) {
    const r = await fetch(link, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    const b = await r.json();
    seen.push(...b.value.map((i) => i.id.split("/").pop()));
    link = b.nextLink;
    pages++;
  }
  assert.deepEqual(seen, names.map((n) => n.name));
  assert.ok(pages >= 6, `pages: ${pages}`);
  const bad = await kv("GET", "/secrets", { token, query: "api-version=7.5&maxresults=26" });
  assert.equal(bad.status, 400);

  // the SDK follows the links through the empty pages
  const c = client();
  const all = await listAll(c.listPropertiesOfSecrets());
  assert.deepEqual(all.map((p) => p.name), names.map((n) => n.name));
  const byPage = [];
  for await (const page of c.listPropertiesOfSecrets().byPage({ maxPageSize: 2 })) byPage.push(page.length);
  assert.equal(byPage.reduce((a, b) => a + b, 0), 7);
  assert.ok(byPage.includes(0), "some pages are empty");
});

// --- SDK: ClientSecretCredential ------------------------------------------------------------
test("SDK: set/get/versions/update with ClientSecretCredential", async () => {
  await reseed({ page_size: 2 });
  await resetLog();
  const c = client();
  const set = await c.setSecret("kestra-app-key", "value-1", {
    contentType: "text/plain; charset=utf-8", tags: { namespace: "company.team", key: "APP_KEY" },
  });
  assert.equal(set.value, "value-1");
  assert.equal(set.name, "kestra-app-key");
  assert.match(set.properties.version, HEX32);
  assert.equal(set.properties.contentType, "text/plain; charset=utf-8");
  assert.deepEqual(set.properties.tags, { namespace: "company.team", key: "APP_KEY" });
  assert.equal(set.properties.enabled, true);
  assert.ok(set.properties.createdOn instanceof Date);
  assert.equal(set.properties.recoveryLevel, "Recoverable+Purgeable");
  assert.equal(set.properties.vaultUrl, base);
  // the challenge probe goes out without the body; the retry with the token carries it
  const puts = (await requests()).filter((r) => r.method === "PUT");
  assert.equal(puts.length, 2);
  assert.equal(puts[0].body, "");
  assert.equal(puts[0].headers.authorization ?? puts[0].headers.Authorization, undefined);
  assert.equal(JSON.parse(puts[1].body).value, "value-1");
  assert.match(puts[1].path, /^\/secrets\/kestra-app-key\?api%2Dversion=2025-07-01$/);

  const set2 = await c.setSecret("kestra-app-key", "value-2");
  assert.notEqual(set2.properties.version, set.properties.version);
  assert.equal((await c.getSecret("kestra-app-key")).value, "value-2");
  assert.equal((await c.getSecret("kestra-app-key", { version: set.properties.version })).value, "value-1");
  assert.equal((await c.getSecret("db-password", { version: "0123456789abcdef0123456789abcdef" })).value, "old-pass");

  const versions = await listAll(c.listPropertiesOfSecretVersions("kestra-app-key"));
  assert.deepEqual(versions.map((v) => v.version).sort(), [set.properties.version, set2.properties.version].sort());
  assert.deepEqual(versions.find((v) => v.version === set.properties.version).tags, { namespace: "company.team", key: "APP_KEY" });

  const props = await listAll(c.listPropertiesOfSecrets());
  assert.deepEqual(props.map((p) => p.name), ["db-password", "disabled-secret", "kestra-app-key", "top-secret"]);
  assert.equal(props.find((p) => p.name === "disabled-secret").enabled, false);

  const upd = await c.updateSecretProperties("kestra-app-key", set2.properties.version, {
    tags: { key: "APP_KEY", rotated: "yes" }, contentType: "application/json", enabled: false,
  });
  assert.deepEqual(upd.tags, { key: "APP_KEY", rotated: "yes" });
  assert.equal(upd.contentType, "application/json");
  assert.equal(upd.enabled, false);
  await rejectsWith(c.getSecret("kestra-app-key"), (e) => {
    assert.equal(e.name, "RestError");
    assert.equal(e.statusCode, 403);
    assert.equal(e.code, "Forbidden");
    assert.equal(innerCode(e), "SecretDisabled");
  });
  // an older, enabled version can still be read
  assert.equal((await c.getSecret("kestra-app-key", { version: set.properties.version })).value, "value-1");
  await c.updateSecretProperties("kestra-app-key", set2.properties.version, { enabled: true });
  assert.equal((await c.getSecret("kestra-app-key")).value, "value-2");
});

test("SDK: error cases (not found, bad name, RBAC, wrong client secret)", async () => {
  await reseed();
  const c = client();
  await rejectsWith(c.getSecret("does-not-exist"), (e) => {
    assert.equal(e.statusCode, 404);
    assert.equal(e.code, "SecretNotFound");
  });
  await rejectsWith(c.getSecret("db-password", { version: "00000000000000000000000000000000" }), (e) => {
    assert.equal(e.statusCode, 404);
    assert.equal(e.code, "SecretNotFound");
  });
  await rejectsWith(c.getSecret("old-secret"), (e) => assert.equal(e.code, "SecretNotFound"));
  await rejectsWith(c.setSecret("bad_name", "x"), (e) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, "BadParameter");
  });
  await rejectsWith(c.getSecret("disabled-secret"), (e) => assert.equal(innerCode(e), "SecretDisabled"));
  await rejectsWith(c.setSecret("old-secret", "reuse"), (e) => {
    assert.equal(e.statusCode, 409);
    assert.equal(e.code, "Conflict");
    assert.equal(innerCode(e), "ObjectIsDeletedButRecoverable");
  });

  const limited = client(secretCredential(LIMITED));
  assert.equal((await limited.getSecret("db-password")).value, "new-pass");
  await rejectsWith(limited.setSecret("db-password", "x"), (e) => {
    assert.equal(e.statusCode, 403);
    assert.equal(e.code, "Forbidden");
    assert.equal(innerCode(e), "ForbiddenByRbac");
    assert.match(e.message, /Microsoft\.KeyVault\/vaults\/secrets\/setSecret\/action/);
  });
  await rejectsWith(limited.getSecret("top-secret"), (e) => assert.equal(innerCode(e), "ForbiddenByRbac"));

  const wrong = client(secretCredential({ id: ADMIN.id, secret: "wrong" }));
  // @azure/identity wraps MSAL's server error as AuthenticationRequiredError; the message carries
  // Entra's error and AADSTS description as parsed by MSAL.
  await rejectsWith(wrong.getSecret("db-password"), (e) => {
    assert.equal(e.name, "AuthenticationRequiredError");
    assert.match(e.message, /^invalid_client: Error\(s\): 7000215 - .*AADSTS7000215: Invalid client secret/s);
  });
});

test("SDK: soft delete, get deleted, recover, purge", async () => {
  await reseed();
  const c = client();
  await c.setSecret("to-delete", "bye", { tags: { key: "BYE" } });
  const poller = await c.beginDeleteSecret("to-delete", { intervalInMs: 20 });
  const deleted = await poller.pollUntilDone();
  assert.equal(deleted.name, "to-delete");
  assert.equal(deleted.properties.recoveryId, `${base}/deletedsecrets/to-delete`);
  assert.ok(deleted.properties.deletedOn instanceof Date);
  assert.ok(deleted.properties.scheduledPurgeDate > deleted.properties.deletedOn);
  assert.equal(deleted.value, undefined);

  const got = await c.getDeletedSecret("to-delete");
  assert.deepEqual(got.properties.tags, { key: "BYE" });
  const listed = await listAll(c.listDeletedSecrets());
  assert.deepEqual(listed.map((d) => d.name).sort(), ["old-secret", "to-delete"]);
  await rejectsWith(c.getSecret("to-delete"), (e) => assert.equal(e.statusCode, 404));

  const rec = await (await c.beginRecoverDeletedSecret("to-delete", { intervalInMs: 20 })).pollUntilDone();
  assert.equal(rec.name, "to-delete");
  assert.equal((await c.getSecret("to-delete")).value, "bye");

  await (await c.beginDeleteSecret("to-delete", { intervalInMs: 20 })).pollUntilDone();
  await c.purgeDeletedSecret("to-delete");
  await rejectsWith(c.getDeletedSecret("to-delete"), (e) => {
    assert.equal(e.statusCode, 404);
    assert.equal(e.code, "SecretNotFound");
  });
  const again = await c.setSecret("to-delete", "fresh");
  assert.equal(again.value, "fresh");
  assert.equal((await listAll(c.listPropertiesOfSecretVersions("to-delete"))).length, 1);
  const purge204 = (await requests()).filter((r) => r.method === "DELETE" && r.path.startsWith("/deletedsecrets/to-delete"));
  assert.equal(purge204.length, 1);
});

test("SDK: deletion in progress (delete_delay): poller waits, writes get 409 ObjectIsBeingDeleted", async () => {
  await reseed({ delete_delay: 0.6, recover_delay: 0.4 });
  const c = client();
  await c.setSecret("slow", "v");
  await resetLog();
  const poller = await c.beginDeleteSecret("slow", { intervalInMs: 100 });
  await rejectsWith(c.setSecret("slow", "again"), (e) => {
    assert.equal(e.statusCode, 409);
    assert.equal(e.code, "Conflict");
    assert.equal(innerCode(e), "ObjectIsBeingDeleted");
  });
  await rejectsWith(c.purgeDeletedSecret("slow"), (e) => assert.equal(innerCode(e), "ObjectIsBeingDeleted"));
  const done = await poller.pollUntilDone();
  assert.equal(done.name, "slow");
  const polls = (await requests()).filter((r) => r.method === "GET" && r.path.startsWith("/deletedsecrets/slow"));
  assert.ok(polls.length >= 2, `polls: ${polls.length}`);
  const recover = await c.beginRecoverDeletedSecret("slow", { intervalInMs: 100 });
  await rejectsWith(c.setSecret("slow", "again"), (e) => assert.equal(innerCode(e), "ObjectIsBeingRecovered"));
  await recover.pollUntilDone();
  assert.equal((await c.getSecret("slow")).value, "v");
});

test("SDK: challenge with scope= only, and the fake clock expiring tokens", async () => {
  await reseed({ vault: { ...SEED.vault, challenge_style: "scope" }, token_lifetime: 600 });
  const c = client();
  assert.equal((await c.getSecret("db-password")).value, "new-pass");
  const token = await adminToken();
  await control("/_fake/azure/clock", { advance: 601 });
  const expired = await kv("GET", "/secrets/db-password", { token });
  assert.equal(expired.status, 401);
  assert.match(expired.headers.get("www-authenticate"), /scope="https:\/\/vault\.azure\.net\/\.default"/);
});

// --- SDK: workload identity and managed identity ---------------------------------------------
test("SDK: WorkloadIdentityCredential with a federated token file", async () => {
  await reseed();
  await resetLog();
  const good = new WorkloadIdentityCredential({
    tenantId: TENANT, clientId: FEDERATED, tokenFilePath: path.join(testsDir, "data", "azure", "federated-token.txt"),
    authorityHost: base, disableInstanceDiscovery: true, ...fast,
  });
  assert.equal((await client(good).getSecret("db-password")).value, "new-pass");
  const log = await requests();
  // MSAL asks for the OpenID metadata first, then posts the assertion (client-request-id in the query)
  assert.ok(log.some((r) => r.method === "GET" && r.path === `/${TENANT}/v2.0/.well-known/openid-configuration`));
  const form = log.find((r) => r.method === "POST" && r.path.startsWith(`/${TENANT}/oauth2/v2.0/token`));
  const params = new URLSearchParams(form.body);
  assert.equal(params.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  assert.equal(params.get("scope"), "https://vault.azure.net/.default");

  const wrong = new WorkloadIdentityCredential({
    tenantId: TENANT, clientId: FEDERATED, tokenFilePath: path.join(testsDir, "data", "azure", "seed.json"),
    authorityHost: base, disableInstanceDiscovery: true, ...fast,
  });
  await rejectsWith(wrong.getToken("https://vault.azure.net/.default"), (e) => {
    assert.equal(e.name, "AuthenticationRequiredError");
    assert.match(e.message, /^invalid_client: .*AADSTS50027: JWT token is invalid or malformed/s);
  });
  const otherJwt = readFileSync(path.join(testsDir, "data", "azure", "federated-token.txt"), "utf8")
    .replace(/\.c2lnbmF0dXJl$/, ".b3RoZXI");
  const r = await tokenFor({ client_id: FEDERATED, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: otherJwt, scope: "https://vault.azure.net/.default" });
  assert.equal(r.status, 401);
  assert.deepEqual(r.body.error_codes, [700213]);
});

test("SDK: ManagedIdentityCredential via App Service (IDENTITY_ENDPOINT/IDENTITY_HEADER)", async () => {
  await reseed();
  const env = { IDENTITY_ENDPOINT: `${base}/msi/token`, IDENTITY_HEADER: SEED.identity_header };
  const sys = await runMiChild(env, [base, "db-password"]);
  assert.ok(sys.ok, JSON.stringify(sys));
  assert.equal(sys.value, "new-pass");
  assert.equal(sys.claims.appid, SEED.managed_identities[0].client_id);
  const user = await runMiChild(env, [base, "db-password", SEED.managed_identities[1].client_id]);
  assert.ok(user.ok, JSON.stringify(user));
  assert.equal(user.claims.appid, SEED.managed_identities[1].client_id);
  const log = (await requests()).filter((r) => r.path.startsWith("/msi/token"));
  assert.ok(log.every((r) => r.headers["X-IDENTITY-HEADER"] === SEED.identity_header || r.headers["x-identity-header"] === SEED.identity_header));
  assert.ok(log.some((r) => r.path.includes("api-version=2019-08-01") && r.path.includes("resource=https%3A%2F%2Fvault.azure.net")));
  const bad = await runMiChild({ ...env, IDENTITY_HEADER: "wrong" }, [base, "db-password"]);
  assert.equal(bad.ok, false);
  assert.equal(bad.name, "CredentialUnavailableError");
  assert.match(bad.message, /X-IDENTITY-HEADER header is missing or invalid/);
  const wire = await fetch(`${base}/msi/token?api-version=2019-08-01&resource=https://vault.azure.net`);
  assert.equal(wire.status, 401);
  const good = await fetch(`${base}/msi/token?api-version=2019-08-01&resource=https://vault.azure.net`,
    { headers: { "X-IDENTITY-HEADER": SEED.identity_header } });
  const gb = await good.json();
  assert.equal(typeof gb.expires_on, "string");
  assert.equal(gb.token_type, "Bearer");
});

test("SDK: ManagedIdentityCredential via IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST, plain http)", async () => {
  await reseed();
  const sys = await runMiChild({ AZURE_POD_IDENTITY_AUTHORITY_HOST: plainBase }, [base, "db-password"]);
  assert.ok(sys.ok, JSON.stringify(sys));
  assert.equal(sys.value, "new-pass");
  assert.equal(sys.claims.aud, "https://vault.azure.net");
  const log = (await requests()).filter((r) => r.path.startsWith("/metadata/identity/oauth2/token"));
  assert.ok(log.length >= 1);
  assert.equal(log[0].headers.Metadata ?? log[0].headers.metadata, "true");
  const unknown = await runMiChild({ AZURE_POD_IDENTITY_AUTHORITY_HOST: plainBase }, [base, "db-password", "12345678-0000-4000-8000-000000000000"]);
  assert.equal(unknown.ok, false);
  assert.match(unknown.message, /Identity not found/);
  const noHeader = await fetch(`${plainBase}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`);
  assert.equal(noHeader.status, 400);
  assert.equal((await noHeader.json()).error_description, "Required metadata header not specified");
  const ok = await fetch(`${plainBase}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net`,
    { headers: { Metadata: "true" } });
  const b = await ok.json();
  for (const k of ["expires_in", "expires_on", "ext_expires_in", "not_before"]) assert.equal(typeof b[k], "string", k);
  assert.equal(b.resource, "https://vault.azure.net");
});

// --- fault injection ----------------------------------------------------------------------------
test("faults: 429 Retry-After and 503 are retried by the SDK, garbage is an error", async () => {
  await reseed();
  const c = client();
  assert.equal((await c.getSecret("db-password")).value, "new-pass"); // challenge done
  await resetLog();
  await faults([{ match: "GET /secrets/db-password", status: 429, headers: { "Retry-After": "1" },
    body: { error: { code: "Throttled", message: "Request was not processed because too many requests were received." } } }]);
  const t0 = Date.now();
  assert.equal((await c.getSecret("db-password")).value, "new-pass");
  assert.ok(Date.now() - t0 >= 900, "waited for Retry-After");
  assert.equal((await requests()).length, 2);

  const unavailable = { error: { code: "ServiceUnavailable", message: "The service is unavailable." } };
  await faults([{ match: "GET /secrets/db-password", status: 503, times: 2, body: unavailable }]);
  assert.equal((await c.getSecret("db-password")).value, "new-pass");

  await faults([{ match: "GET /secrets/db-password", status: 503, times: 10, body: unavailable }]);
  await rejectsWith(c.getSecret("db-password"), (e) => {
    assert.equal(e.statusCode, 503);
    assert.equal(e.code, "ServiceUnavailable");
  });
  assert.equal((await requests()).filter((r) => r.path.startsWith("/secrets/db-password")).length, 2 + 3 + 4);
  await resetLog();

  await faults([{ match: "GET /secrets/db-password", fault: "garbage" }]);
  await rejectsWith(c.getSecret("db-password"), (e) => assert.ok(e instanceof Error));
  await resetLog();
});
