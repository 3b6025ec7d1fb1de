// Test JWTs: ES256 / RS256 key pairs and compact tokens signed with them, for the tests of
// `--auth jwt` and Cloudflare Access (the header is written as given, so a test can put any `alg`
// in it; the signature is always made with the key's own algorithm).

export const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
export const json64 = (value) => b64url(Buffer.from(JSON.stringify(value)));

const ALGORITHMS = {
  ES256: { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  RS256: {
    generate: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
};

/** A fresh key pair for `alg` (ES256 or RS256): the private key and the public JWK as exported. */
export async function keyPair(alg) {
  const pair = await crypto.subtle.generateKey(ALGORITHMS[alg].generate, true, ["sign", "verify"]);
  return { alg, privateKey: pair.privateKey, jwk: await crypto.subtle.exportKey("jwk", pair.publicKey) };
}

/** `header.claims.signature`, signed with `privateKey` by `alg` (ES256 or RS256). */
export async function signJwt(header, claims, privateKey, alg) {
  const signing = `${json64(header)}.${json64(claims)}`;
  const signature = await crypto.subtle.sign(ALGORITHMS[alg].sign, privateKey, new TextEncoder().encode(signing));
  return `${signing}.${b64url(new Uint8Array(signature))}`;
}
