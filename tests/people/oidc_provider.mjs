// A real OpenID Connect provider (npm `oidc-provider`) on loopback for the single sign-on tests.
// Environment: OIDC_PORT, OIDC_CLIENTS (JSON list of client metadata), OIDC_ACCOUNTS_FILE (JSON
// object: subject -> claims, read again on every sign-in so a test can change a person's email).
// Sign-in uses the package's development login form: any login name is the subject, any password.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);
const accountsFile = process.env.OIDC_ACCOUNTS_FILE;
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  // PKCE with S256 is required from every client, so a sign-in without it fails here.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'department', 'job_title', 'employee_id'],
  },
  // Put the profile claims in the ID token too, as Entra ID and Okta can be configured to.
  conformIdTokenClaims: false,
  cookies: { keys: ['socialbiz-test-only-cookie-key'] },
  async findAccount(ctx, id) {
    const accounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
    if (!accounts[id]) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  // First-party company sign-in: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'department', 'job_title', 'employee_id']);
    await grant.save();
    ctx.oidc.session.ensureClientContainer(ctx.oidc.client.clientId);
    ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId, grant.jti);
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => { console.log(`oidc-provider listening on ${issuer}`); });
