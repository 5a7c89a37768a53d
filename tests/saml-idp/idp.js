// A test identity provider built on samlify, software we did not write: it signs the SAML responses the
// integration tests post to the platform. Started by the tests as `node idp.js <keys-dir>`; prints
// "LISTENING <port>" once it accepts requests on 127.0.0.1.
//   GET  /metadata           IdP metadata (signing certificate "primary")
//   GET  /sso?SAMLRequest=.. HTTP-Redirect AuthnRequest in, auto-posting form with a signed response out;
//                            the user comes from the query (nameId, email, givenName, surname, key)
//   POST /mint               JSON in, { samlResponse } out: a response shaped by the test (hostile cases);
//                            shiftMinutes moves IssueInstant, AuthnInstant, SessionNotOnOrAfter, ... from now;
//                            spMetadata + encryption { dataAlgorithm, keyAlgorithm } encrypt the assertion to the
//                            SP's KeyDescriptor use="encryption" (samlify reads it from the SP metadata)
//   GET  /slo?SAMLRequest=.. single logout, SP-initiated: samlify verifies the SP's signed LogoutRequest against the SP
//                            metadata (fetched from the issuer's /metadata), reports what it read in x-logout-* headers
//                            and redirects back with a signed LogoutResponse
//   POST /logout-request     JSON { spMetadata, nameId, sessionIndex, key } in, { id, url } out: an IdP-initiated
//                            LogoutRequest (HTTP-Redirect, signed with the key) for the SP
//   POST /parse-logout-response  JSON { spMetadata, url } in: samlify verifies the SP's LogoutResponse, { inResponseTo, statusCode } out
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');
const saml = require('samlify');

const keysDir = process.argv[2];
if (!keysDir) {
  console.error('usage: node idp.js <keys-dir>');
  process.exit(2);
}

const ENTITY_ID = 'https://idp.test.example/saml';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

// samlify refuses to parse without a schema validator. The logout messages it parses here are checked by signature,
// issuer and the fields the tests assert; XML schema validation of the SP's output is not what this IdP is for.
saml.setSchemaValidator({ validate: async () => 'skipped' });

function key(name) {
  if (!/^[a-z0-9]+$/.test(name)) throw new Error('bad key name');
  return {
    privateKey: fs.readFileSync(path.join(keysDir, `${name}.key`), 'utf8'),
    cert: fs.readFileSync(path.join(keysDir, `${name}.crt`), 'utf8'),
  };
}

const escapeXml = (s) => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));

function idp(base, keyName, algorithm, encryption) {
  const k = key(keyName);
  return saml.IdentityProvider({
    ...(encryption ? {
      isAssertionEncrypted: true,
      dataEncryptionAlgorithm: encryption.dataAlgorithm,
      keyEncryptionAlgorithm: encryption.keyAlgorithm,
    } : {}),
    entityID: ENTITY_ID,
    privateKey: k.privateKey,
    signingCert: k.cert,
    requestSignatureAlgorithm: algorithm === 'sha1' ? RSA_SHA1 : RSA_SHA256,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
    singleLogoutService: [{ Binding: REDIRECT, Location: `${base}/slo` }],
    // Logout messages from the SP must be signed (samlify checks the query signature with the SP metadata's key).
    wantLogoutRequestSigned: true,
    wantLogoutResponseSigned: true,
  });
}

// The SP as samlify sees it from its metadata; it wants signed logout messages, so samlify signs what it sends.
const spOf = (metadata) => saml.ServiceProvider({ metadata, wantLogoutRequestSigned: true, wantLogoutResponseSigned: true });

// The redirect binding's signed octets, exactly as they arrived (bindings §3.4.4.1).
function redirectRequest(url) {
  const raw = new Map(url.search.slice(1).split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    return i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
  }));
  const message = raw.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  const octetString = [message, 'RelayState', 'SigAlg'].filter((n) => raw.has(n)).map((n) => `${n}=${raw.get(n)}`).join('&');
  const query = Object.fromEntries([...raw].map(([k, v]) => [k, decodeURIComponent(v)]));
  return { query, octetString };
}

// The login response template: samlify's default plus an AuthnStatement and the user's attributes.
function template(user, values) {
  const attributes = [
    ['email', user.email],
    ['givenName', user.givenName],
    ['sn', user.surname],
  ].filter(([, v]) => v)
    .map(([n, v]) => `<saml:Attribute Name="${n}"><saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue></saml:Attribute>`)
    .join('');
  return '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">'
    + '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>'
    + '<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">'
    + '<saml:Issuer>{Issuer}</saml:Issuer><saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>'
    + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{SubjectConfirmationDataNotOnOrAfter}" Recipient="{SubjectRecipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>'
    + '<saml:Conditions NotBefore="{ConditionsNotBefore}" NotOnOrAfter="{ConditionsNotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
    + '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"'
    + (values.SessionNotOnOrAfter ? ' SessionNotOnOrAfter="{SessionNotOnOrAfter}"' : '') + '>'
    + '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
    + (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '')
    + '</saml:Assertion></samlp:Response>';
}

const newId = () => '_' + crypto.randomBytes(20).toString('hex');

async function mint(base, m) {
  const sp = m.spMetadata ? saml.ServiceProvider({ metadata: m.spMetadata }) : saml.ServiceProvider({
    entityID: m.spEntityId,
    assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: m.acsUrl }],
    wantAssertionsSigned: m.signAssertion !== false,
    wantMessageSigned: m.signResponse === true,
  });
  const now = new Date();
  const offset = (minutes) => new Date(now.getTime() + minutes * 60000).toISOString();
  const user = { email: m.email, givenName: m.givenName, surname: m.surname };
  const values = {
    ID: newId(),
    AssertionID: newId(),
    Destination: m.acsUrl,
    Audience: m.spEntityId,
    SubjectRecipient: m.acsUrl,
    Issuer: ENTITY_ID,
    IssueInstant: now.toISOString(),
    AuthnInstant: now.toISOString(),
    // Absent unless shifted or overridden: the IdP does not bound the session.
    SessionNotOnOrAfter: null,
    StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
    ConditionsNotBefore: offset(-1),
    ConditionsNotOnOrAfter: offset(5),
    SubjectConfirmationDataNotOnOrAfter: offset(5),
    NameIDFormat: m.nameIdFormat || EMAIL_FORMAT,
    NameID: m.nameId,
    SessionIndex: newId(),
    // null drops the attribute: an unsolicited response answers no request.
    InResponseTo: m.inResponseTo || null,
  };
  for (const [name, minutes] of Object.entries(m.shiftMinutes || {})) values[name] = offset(minutes);
  Object.assign(values, m.overrides || {});
  const result = await idp(base, m.key || 'primary', m.algorithm, m.encryption).createLoginResponse(sp, null, 'post', user, {
    customTagReplacement: (t) => ({ id: values.ID, context: saml.SamlLib.replaceTagsByValue(template(user, values), values) }),
  });
  return result.context;
}

function readAuthnRequest(encoded) {
  const xml = zlib.inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const attr = (name) => (xml.match(new RegExp(`\\s${name}="([^"]*)"`)) || [])[1];
  const issuer = (xml.match(/<(?:\w+:)?Issuer[^>]*>([^<]*)</) || [])[1];
  return { id: attr('ID'), acsUrl: attr('AssertionConsumerServiceURL'), issuer };
}

async function json(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

async function handle(req, res, base) {
  const url = new URL(req.url, base);
  if (req.method === 'GET' && url.pathname === '/metadata') {
    return send(res, 200, 'application/samlmetadata+xml', idp(base, 'primary').getMetadata());
  }
  if (req.method === 'GET' && url.pathname === '/sso') {
    const request = readAuthnRequest(url.searchParams.get('SAMLRequest') || '');
    const q = (n) => url.searchParams.get(n) || undefined;
    const response = await mint(base, {
      spEntityId: request.issuer, acsUrl: request.acsUrl, inResponseTo: request.id,
      nameId: q('nameId'), email: q('email'), givenName: q('givenName'), surname: q('surname'), key: q('key'),
    });
    const relay = url.searchParams.get('RelayState');
    return send(res, 200, 'text/html; charset=utf-8',
      `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeXml(request.acsUrl)}">`
      + `<input type="hidden" name="SAMLResponse" value="${escapeXml(response)}">`
      + (relay ? `<input type="hidden" name="RelayState" value="${escapeXml(relay)}">` : '')
      + '<button type="submit">Continue</button></form></body></html>');
  }
  if (req.method === 'GET' && url.pathname === '/slo') {
    const request = redirectRequest(url);
    const xml = zlib.inflateRawSync(Buffer.from(request.query.SAMLRequest || '', 'base64')).toString('utf8');
    const issuer = (xml.match(/<(?:\w+:)?Issuer[^>]*>([^<]*)</) || [])[1];
    const sp = spOf(await (await fetch(`${issuer}metadata`)).text());
    const provider = idp(base, 'primary');
    const parsed = await provider.parseLogoutRequest(sp, 'redirect', request);
    const answer = provider.createLogoutResponse(sp, parsed, 'redirect', request.query.RelayState || '');
    res.writeHead(302, {
      location: answer.context,
      'x-logout-name-id': encodeURIComponent(parsed.extract.nameID || ''),
      'x-logout-session-index': encodeURIComponent(parsed.extract.sessionIndex || ''),
      'x-logout-request-id': parsed.extract.request.id,
      'x-logout-sig-alg': parsed.sigAlg || '',
    });
    return res.end();
  }
  if (req.method === 'POST' && url.pathname === '/logout-request') {
    const m = await json(req);
    const result = idp(base, m.key || 'primary').createLogoutRequest(spOf(m.spMetadata), 'redirect',
      { logoutNameID: m.nameId, sessionIndex: m.sessionIndex || '' }, m.relayState || '');
    return send(res, 200, 'application/json', JSON.stringify({ id: result.id, url: result.context }));
  }
  if (req.method === 'POST' && url.pathname === '/parse-logout-response') {
    const m = await json(req);
    const parsed = await idp(base, 'primary').parseLogoutResponse(spOf(m.spMetadata), 'redirect', redirectRequest(new URL(m.url)));
    return send(res, 200, 'application/json', JSON.stringify({
      // samlify's parse refuses any status but Success, so reaching here means Success.
      inResponseTo: parsed.extract.response.inResponseTo, statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      destination: parsed.extract.response.destination, issuer: parsed.extract.issuer, sigAlg: parsed.sigAlg }));
  }
  if (req.method === 'POST' && url.pathname === '/mint') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const samlResponse = await mint(base, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    return send(res, 200, 'application/json', JSON.stringify({ samlResponse }));
  }
  return send(res, 404, 'text/plain', 'not found');
}

const server = http.createServer((req, res) => {
  const base = `http://127.0.0.1:${server.address().port}`;
  handle(req, res, base).catch((e) => send(res, 500, 'text/plain', String(e && e.message)));
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
