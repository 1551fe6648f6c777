// Helper of azure.test.mjs (not a test itself): one ManagedIdentityCredential run in its own process,
// because MSAL caches the managed-identity source (App Service / IMDS) per process.
// argv: <vaultUrl> <secretName> [clientId]. Env: IDENTITY_ENDPOINT/IDENTITY_HEADER or
// AZURE_POD_IDENTITY_AUTHORITY_HOST, NODE_EXTRA_CA_CERTS. Prints one JSON line on stdout.
import { ManagedIdentityCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

const [vaultUrl, name, clientId] = process.argv.slice(2);
const credential = clientId
  ? new ManagedIdentityCredential({ clientId, retryOptions: { maxRetries: 0 } })
  : new ManagedIdentityCredential({ retryOptions: { maxRetries: 0 } });
try {
  const token = await credential.getToken("https://vault.azure.net/.default");
  const client = new SecretClient(vaultUrl, credential, {
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 0 },
  });
  const secret = await client.getSecret(name);
  const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
  console.log(JSON.stringify({ ok: true, value: secret.value, claims, expiresOnTimestamp: token.expiresOnTimestamp }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, name: e.name, message: String(e.message), statusCode: e.statusCode }));
}
