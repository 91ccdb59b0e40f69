// The other side of the interop test: npm's `jose`, an independent JOSE
// implementation, verifying tokens Tessera signed and signing tokens for
// Tessera to verify.
//
//   node jose_tool.mjs verify JWKS_FILE TOKEN_FILE ISSUER AUDIENCE
//     exit 0 and print the payload JSON if jose accepts the token as an
//     RFC 9068 access token (typ at+jwt) from ISSUER for AUDIENCE; exit 1
//     and print jose's error code otherwise.
//   node jose_tool.mjs verify-remote JWKS_URL TOKEN_FILE ISSUER AUDIENCE
//     the same, fetching the key set over HTTP with createRemoteJWKSet, as a
//     relying service would from tesserad's /.well-known/jwks.json.
//   node jose_tool.mjs sign ALG OUT_DIR ISSUER AUDIENCE
//     generate a key pair (ES256, EdDSA or RS256), write OUT_DIR/jwks.json
//     and OUT_DIR/token.
import { readFileSync, writeFileSync } from 'node:fs';
import * as jose from 'jose';

const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'];

async function verify(jwksFile, tokenFile, issuer, audience) {
  const jwks = jose.createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
  return verifyWith(jwks, tokenFile, issuer, audience);
}

async function verifyRemote(jwksUrl, tokenFile, issuer, audience) {
  const jwks = jose.createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 10000 });
  return verifyWith(jwks, tokenFile, issuer, audience);
}

async function verifyWith(jwks, tokenFile, issuer, audience) {
  const token = readFileSync(tokenFile, 'utf8').trim();
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
      issuer, audience, typ: 'at+jwt', algorithms: ALGORITHMS,
    });
    console.log(JSON.stringify({ header: protectedHeader, payload }));
    return 0;
  } catch (error) {
    console.log(error.code || error.name);
    return 1;
  }
}

async function sign(alg, outDir, issuer, audience) {
  const options = { extractable: true };
  if (alg === 'EdDSA') options.crv = 'Ed25519';
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, options);
  const jwk = await jose.exportJWK(publicKey);
  jwk.kid = await jose.calculateJwkThumbprint(jwk);
  jwk.alg = alg;
  jwk.use = 'sig';
  writeFileSync(`${outDir}/jwks.json`, JSON.stringify({ keys: [jwk] }));
  const token = await new jose.SignJWT({
    sid: 'session-from-jose', roles: ['admin', 'billing'], n: { x: 1.5 },
  })
    .setProtectedHeader({ alg, kid: jwk.kid, typ: 'at+jwt' })
    .setSubject('user-from-jose')
    .setJti('jti-from-jose')
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
  writeFileSync(`${outDir}/token`, token);
  return 0;
}

const [command, ...args] = process.argv.slice(2);
const commands = { verify, 'verify-remote': verifyRemote, sign };
if (!commands[command] || args.length !== 4) {
  console.error('usage: jose_tool.mjs verify|verify-remote|sign ... (see the header)');
  process.exit(2);
}
process.exit(await commands[command](...args));
