// The payment return page: a way back to the citizen's appointment page.
//
// When the citizen presses *Pay*, their appointment page keeps its own address
// in this browser: localStorage "dbalie-return-<payment id>". Here it becomes
// the "Back to your appointment" link; the key leaves localStorage (the
// address is the citizen's key) and stays only in this tab's sessionStorage,
// so a reload of this tab still finds it. Without it the page keeps saying:
// use the link in your e-mail, or close this tab.

const PREFIX = "dbalie-return-";

function storage(name) {
  try {
    return window[name]; // may throw when storage is switched off
  } catch {
    return null;
  }
}

function read(store, key) {
  try {
    return store ? store.getItem(key) : null;
  } catch {
    return null;
  }
}

// Only an appointment page of this site: never another site, never javascript:.
function appointmentUrl(value) {
  if (!value) return null;
  let url;
  try {
    url = new URL(value, window.location.href);
  } catch {
    return null;
  }
  if (url.origin !== window.location.origin) return null;
  if (!url.pathname.includes("/@@my-appointment/")) return null;
  return url.href;
}

function start() {
  const box = document.querySelector(".dbalie-return[data-payment]");
  if (!box) return;
  const key = PREFIX + box.dataset.payment;
  const local = storage("localStorage");
  const session = storage("sessionStorage");
  const url = appointmentUrl(read(local, key) || read(session, key));
  try {
    if (local) local.removeItem(key);
    if (url && session) session.setItem(key, url);
  } catch {
    // Storage full or switched off: the link below still works this once.
  }
  if (!url) return;
  const back = box.querySelector(".dbalie-return-back");
  back.querySelector("a").href = url;
  back.hidden = false;
  box.querySelector(".dbalie-return-mail").hidden = true;
}

start();
