// Live preview of the SSO address the account key gives (the page works without it).
(() => {
  const input = document.getElementById('accountKey');
  const key = document.getElementById('sso-key');
  if (!input || !key) return;
  const update = () => { key.textContent = input.value.trim() || '…'; };
  input.addEventListener('input', update);
  update();
})();
