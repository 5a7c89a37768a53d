// Encrypts an XML element as XML Encryption 1.1 EncryptedData with Node's crypto (OpenSSL), independent of .NET.
// Used by the SAML unit tests for the pairs xmlsec1 1.2 cannot make: xmlenc11#rsa-oaep with SHA-256 digest and MGF1.
// Usage: node xmlenc-encrypt.js <certificate.pem> <plaintext.xml> <content: aes128-gcm|aes256-gcm|aes128-cbc|aes256-cbc>
//        <key transport: rsa-oaep-mgf1p|rsa-oaep-sha1|rsa-oaep-sha256>
'use strict';
const crypto = require('crypto');
const fs = require('fs');

const [certPath, plaintextPath, content, transport] = process.argv.slice(2);
const publicKey = crypto.createPublicKey(fs.readFileSync(certPath));
const plaintext = fs.readFileSync(plaintextPath);

const contentAlgorithms = {
  'aes128-gcm': { uri: 'http://www.w3.org/2009/xmlenc11#aes128-gcm', cipher: 'aes-128-gcm', key: 16, iv: 12 },
  'aes256-gcm': { uri: 'http://www.w3.org/2009/xmlenc11#aes256-gcm', cipher: 'aes-256-gcm', key: 32, iv: 12 },
  'aes128-cbc': { uri: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc', cipher: 'aes-128-cbc', key: 16, iv: 16 },
  'aes256-cbc': { uri: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc', cipher: 'aes-256-cbc', key: 32, iv: 16 },
};
const c = contentAlgorithms[content];
if (!c) throw new Error('unknown content algorithm ' + content);

const key = crypto.randomBytes(c.key);
const iv = crypto.randomBytes(c.iv);
const cipher = crypto.createCipheriv(c.cipher, key, iv);
// OpenSSL's PKCS#7 padding is one valid XML Encryption padding (only the last byte is read).
let cipherValue = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
if (c.cipher.endsWith('gcm')) cipherValue = Buffer.concat([cipherValue, cipher.getAuthTag()]);

let method;
let oaepHash;
switch (transport) {
  case 'rsa-oaep-mgf1p':
    method = '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>';
    oaepHash = 'sha1';
    break;
  case 'rsa-oaep-sha1':
    method = '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"/>';
    oaepHash = 'sha1';
    break;
  case 'rsa-oaep-sha256':
    method = '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><xenc11:MGF Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/></xenc:EncryptionMethod>';
    oaepHash = 'sha256';
    break;
  default:
    throw new Error('unknown key transport ' + transport);
}
// Node's oaepHash sets the OAEP digest and the MGF1 hash alike.
const wrapped = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, key);

process.stdout.write(
  '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" ' +
  'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Type="http://www.w3.org/2001/04/xmlenc#Element">' +
  `<xenc:EncryptionMethod Algorithm="${c.uri}"/>` +
  `<ds:KeyInfo><xenc:EncryptedKey>${method}<xenc:CipherData><xenc:CipherValue>${wrapped.toString('base64')}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>` +
  `<xenc:CipherData><xenc:CipherValue>${cipherValue.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
  '</xenc:EncryptedData>');
