import { createCipheriv, createDecipheriv, createHash, createHmac } from "node:crypto";

/*
 * SNMPv3 User-based Security Model (RFC 3414, RFC 7860 for SHA-2, RFC 3826 for AES) on the agent side.
 * The expensive step, hashing a megabyte of the expanded password, depends only on protocol and password,
 * so it is computed once per password; localizing to each device's engine id is one cheap hash.
 */

export type AuthProtocol = "md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512";
export type PrivProtocol = "aes";

const hashOf: Record<AuthProtocol, { algorithm: string; macLength: number }> = {
  md5: { algorithm: "md5", macLength: 12 },
  sha: { algorithm: "sha1", macLength: 12 },
  sha224: { algorithm: "sha224", macLength: 16 },
  sha256: { algorithm: "sha256", macLength: 24 },
  sha384: { algorithm: "sha384", macLength: 32 },
  sha512: { algorithm: "sha512", macLength: 48 },
};

export const macLength = (protocol: AuthProtocol): number => hashOf[protocol].macLength;

const masterKeys = new Map<string, Buffer>();

/** Ku: the password stretched to 1 MiB and hashed (RFC 3414 A.2). Cached per protocol and password. */
function masterKey(protocol: AuthProtocol, password: string): Buffer {
  const cacheKey = `${protocol}\u0000${password}`;
  let key = masterKeys.get(cacheKey);
  if (!key) {
    const source = Buffer.from(password, "utf8");
    const stretched = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < stretched.length; i += source.length) source.copy(stretched, i);
    key = createHash(hashOf[protocol].algorithm).update(stretched).digest();
    masterKeys.set(cacheKey, key);
  }
  return key;
}

/** Kul: Ku localized to one engine id. */
export function localizeKey(protocol: AuthProtocol, password: string, engineId: Buffer): Buffer {
  const ku = masterKey(protocol, password);
  return createHash(hashOf[protocol].algorithm).update(ku).update(engineId).update(ku).digest();
}

/** The truncated HMAC of a whole message whose authentication parameters are zero-filled. */
export function messageMac(protocol: AuthProtocol, key: Buffer, message: Buffer): Buffer {
  return createHmac(hashOf[protocol].algorithm, key)
    .update(message)
    .digest()
    .subarray(0, macLength(protocol));
}

function aesIv(boots: number, time: number, salt: Buffer): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(boots >>> 0, 0);
  iv.writeUInt32BE(time >>> 0, 4);
  salt.copy(iv, 8, 0, 8);
  return iv;
}

/** AES-128-CFB with the localized privacy key (its first 16 bytes), RFC 3826. */
export function aesDecrypt(privKey: Buffer, boots: number, time: number, salt: Buffer, data: Buffer): Buffer {
  if (salt.length !== 8) throw new Error("bad privacy parameters");
  const decipher = createDecipheriv("aes-128-cfb", privKey.subarray(0, 16), aesIv(boots, time, salt));
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

export function aesEncrypt(privKey: Buffer, boots: number, time: number, salt: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv("aes-128-cfb", privKey.subarray(0, 16), aesIv(boots, time, salt));
  return Buffer.concat([cipher.update(data), cipher.final()]);
}
