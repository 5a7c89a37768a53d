// Passkeys (WebAuthn) for the login, code, re-authentication and security pages. No bundler, no inline script
// (CSP script-src 'self'); every page keeps working without it for its other paths. The server speaks the WebAuthn
// JSON (base64url); the browser's parse…FromJSON / toJSON are used where present, else the conversion below.
(() => {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  const fromB64u = (s) => {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const toB64u = (buffer) => {
    let s = '';
    new Uint8Array(buffer).forEach((b) => { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: fromB64u(c.id) }));

  const creationOptions = (json) => PublicKeyCredential.parseCreationOptionsFromJSON
    ? PublicKeyCredential.parseCreationOptionsFromJSON(json)
    : { ...json, challenge: fromB64u(json.challenge), user: { ...json.user, id: fromB64u(json.user.id) }, excludeCredentials: withIds(json.excludeCredentials) };
  const requestOptions = (json) => PublicKeyCredential.parseRequestOptionsFromJSON
    ? PublicKeyCredential.parseRequestOptionsFromJSON(json)
    : { ...json, challenge: fromB64u(json.challenge), allowCredentials: withIds(json.allowCredentials) };

  const credentialJson = (credential) => {
    if (typeof credential.toJSON === 'function') return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: toB64u(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64u(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64u(r.authenticatorData);
      response.signature = toB64u(r.signature);
      if (r.userHandle) response.userHandle = toB64u(r.userHandle);
    }
    return { id: credential.id, rawId: toB64u(credential.rawId), type: credential.type, response,
      clientExtensionResults: credential.getClientExtensionResults() };
  };

  const antiforgery = () => document.querySelector('input[name="__RequestVerificationToken"]')?.value;
  const post = (url, body) => fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...(antiforgery() ? { RequestVerificationToken: antiforgery() } : {}) },
    body: JSON.stringify(body ?? {}),
  });
  const show = (id, text) => {
    const box = document.getElementById(id);
    if (box) { box.textContent = text; box.hidden = false; }
  };

  // Sign-in pages: the assertion goes into a hidden field of a normal form, so the page answers as for a password.
  const submitAssertion = (form, credential) => {
    form.querySelector('input[name="credential"]').value = JSON.stringify(credentialJson(credential));
    form.submit();
  };

  const loginForm = document.getElementById('passkey-login-form');
  if (loginForm) {
    const button = document.getElementById('passkey-signin');
    let conditional = null;
    const signIn = async (mediation) => {
      const response = await post('/api/auth/passkey/options');
      if (!response.ok) throw new Error('options');
      const publicKey = requestOptions(await response.json());
      const abort = new AbortController();
      if (mediation === 'conditional') conditional = abort;
      const credential = await navigator.credentials.get({ publicKey, mediation, signal: abort.signal });
      if (credential) submitAssertion(loginForm, credential);
    };
    button.hidden = false;
    button.addEventListener('click', async () => {
      conditional?.abort();
      conditional = null;
      try { await signIn('required'); } catch (e) { if (e.name !== 'AbortError') show('passkey-error', loginForm.dataset.failed); }
    });
    // Conditional mediation: the browser offers passkeys in the username field's autofill. Not again right after a
    // refused sign-in: the user chooses what to do next.
    if (!document.getElementById('login-error')) {
      PublicKeyCredential.isConditionalMediationAvailable?.().then((available) => {
        if (available) signIn('conditional').catch(() => {});
      });
    }
  }

  // The code page: the passkey as second factor of the pending login (options from the page, bound to its flow).
  const secondFactor = document.getElementById('passkey-second-factor');
  if (secondFactor) {
    const form = secondFactor.form;
    secondFactor.hidden = false;
    secondFactor.addEventListener('click', async () => {
      try {
        const response = await post(form.dataset.optionsUrl);
        if (!response.ok) throw new Error('options');
        const credential = await navigator.credentials.get({ publicKey: requestOptions(await response.json()) });
        if (credential) submitAssertion(form, credential);
      } catch { show('passkey-error', form.dataset.failed); }
    });
  }

  // Re-authentication with a passkey instead of the password.
  const reauth = document.getElementById('passkey-reauth');
  if (reauth) {
    reauth.hidden = false;
    reauth.addEventListener('click', async () => {
      try {
        const options = await post('/api/auth/reauthenticate/passkey/options');
        if (!options.ok) throw new Error('options');
        const credential = await navigator.credentials.get({ publicKey: requestOptions(await options.json()) });
        const done = await post('/api/auth/reauthenticate', { passkey: credentialJson(credential) });
        if (!done.ok) throw new Error('refused');
        window.location.assign(reauth.dataset.returnUrl || '/');
      } catch { show('passkey-error', reauth.dataset.failed); }
    });
  }

  // The security page: add a passkey (a recent re-authentication first, as for every change of sign-in methods).
  const add = document.getElementById('add-passkey');
  if (add) {
    const form = add.form;
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const options = await post('/api/account/passkeys/registration/options');
        if (options.status === 403) {
          window.location.assign(`/account/reauthenticate?returnUrl=${encodeURIComponent('/account/security#passkeys')}`);
          return;
        }
        if (!options.ok) {
          const problem = await options.json().catch(() => ({}));
          show('passkey-error', problem.title || form.dataset.failed);
          return;
        }
        const credential = await navigator.credentials.create({ publicKey: creationOptions(await options.json()) });
        const name = form.querySelector('input[name="name"]').value;
        const done = await post('/api/account/passkeys', { name, credential: credentialJson(credential) });
        if (!done.ok) {
          const problem = await done.json().catch(() => ({}));
          show('passkey-error', problem.title || form.dataset.failed);
          return;
        }
        window.location.assign('/account/security?passkeyAdded=true#passkeys');
      } catch { show('passkey-error', form.dataset.failed); }
    });
  }
})();
