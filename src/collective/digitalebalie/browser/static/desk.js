// The live desk: an appointment page as one workspace around the call.
//
// Every action on the page is a fetch; afterwards the page asks Plone for the
// changed parts only (`?desk-part=NAME`, see browser/desk.py) and puts them in
// place, so the page never reloads and the call goes on. The other side hears
// of a change from the room server: a "watch" socket on the appointment's room
// receives `update` events (only part names, no personal data) and, on the
// employee's side, who is waiting. Without the room server the page polls
// every 15 seconds; after a reconnect it fetches every part again, so nothing
// is lost. Without JavaScript the forms post to the page, which works too.

const SOUND_KEY = "dbalie-waiting-sound";

const format = (text, name) => (text || "").replace("${name}", name);

// A short, soft double tone; browsers allow it once the page had a click.
let audio = null;
export const beep = () => {
  try {
    audio = audio || new AudioContext();
    audio.resume();
    for (const [at, frequency] of [
      [0, 880],
      [0.22, 660],
    ]) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.12, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.2);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + at);
      tone.stop(audio.currentTime + at + 0.2);
    }
  } catch (error) {
    // No sound available: the mark and the title still say it.
  }
};

export const soundOn = () => localStorage.getItem(SOUND_KEY) !== "off";

// A form sent the usual way (cancel, move) is leaving the page: its answer,
// the next page, says what happened. A reload now would replace it.
let leaving = false;
window.addEventListener("beforeunload", () => (leaving = true));
window.addEventListener("pageshow", () => (leaving = false)); // back from the cache

// The tab's title says who waits, for an employee working in another tab.
const baseTitle = document.title;
const titles = new Map(); // source -> text
export const markTitle = (source, text) => {
  if (text) titles.set(source, text);
  else titles.delete(source);
  const marks = [...titles.values()];
  document.title = marks.length ? `(${marks.length}) ${marks.join(", ")} – ${baseTitle}` : baseTitle;
};

// One "watch" socket on a room: updates, and (for staff) who is there.
// Reconnects with a growing pause; `onState(connected)` tells the owner
// whether to poll.
export class Watch {
  constructor(infoUrl, handlers) {
    this.infoUrl = infoUrl;
    this.handlers = handlers;
    this.attempts = 0;
    this.closed = false;
    this.connect();
  }

  async connect() {
    let info = null;
    try {
      const response = await fetch(this.infoUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.status === 404 || response.status === 409) {
        this.closed = true; // no such appointment any more, or cancelled
        this.handlers.onGone?.();
        return;
      }
      if (response.ok) info = await response.json();
    } catch (error) {
      info = null;
    }
    this.pollSeconds = info?.poll_seconds || 15;
    if (!info) {
      this.handlers.onState?.(false, this.pollSeconds);
      this.later();
      return;
    }
    if (!info.watch) {
      // No room server for this site: polling is all there is.
      this.handlers.onState?.(false, this.pollSeconds);
      return;
    }
    let socket;
    try {
      socket = new WebSocket(info.watch.url);
    } catch (error) {
      this.handlers.onState?.(false, this.pollSeconds);
      this.later();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "watch", token: info.watch.token })));
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "watching") {
        this.attempts = 0;
        this.handlers.onState?.(true, this.pollSeconds);
      }
      this.handlers.onMessage?.(message);
    });
    socket.addEventListener("close", (event) => {
      this.socket = null;
      if (this.closed) return;
      this.handlers.onState?.(false, this.pollSeconds);
      if (event.code === 4403) {
        // The appointment is cancelled: its room is closed for good.
        this.closed = true;
        this.handlers.onGone?.();
        return;
      }
      this.later();
    });
  }

  later() {
    if (this.closed) return;
    const delay = Math.min(30000, 1000 * 2 ** this.attempts);
    this.attempts = Math.min(this.attempts + 1, 5);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

// Who is in an appointment's room, as staff see it (waiting, in the call, reconnecting).
export class People {
  constructor() {
    this.all = new Map();
  }

  apply(message) {
    if (message.type === "watching") {
      this.all.clear();
      for (const person of message.participants || []) this.all.set(person.participant, person);
      return;
    }
    if (message.type !== "presence") return;
    const id = message.participant;
    if (message.event === "leave") {
      this.all.delete(id);
      return;
    }
    const person = { ...(this.all.get(id) || {}), ...message };
    person.state = message.event === "reconnecting" ? "reconnecting" : "connected";
    if (message.event === "admitted") person.admitted = true;
    this.all.set(id, person);
  }

  waiting() {
    return [...this.all.values()].filter(
      (person) => person.role !== "employee" && !person.admitted && person.state !== "reconnecting",
    );
  }
}

// Two versions of a part are the same when only Plone's form tokens differ
// (the page got them added by plone.protect, the fetched part has its own).
const same = (a, b) => {
  const strip = (element) => {
    const copy = element.cloneNode(true);
    for (const token of copy.querySelectorAll("input[name=_authenticator]")) token.remove();
    copy.normalize();
    return copy;
  };
  return strip(a).isEqualNode(strip(b));
};

// Input in a part that was not sent yet: replacing the part would lose it.
const dirty = (part) =>
  [...part.querySelectorAll("input, textarea, select")].some((field) => {
    if (field.type === "file") return field.files.length > 0;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") return [...field.options].some((o) => o.selected !== o.defaultSelected);
    if (["hidden", "submit", "button"].includes(field.type)) return false;
    return field.value !== field.defaultValue;
  });

const focusables = (part) => [
  ...part.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"),
];

class Desk {
  constructor(root) {
    this.root = root;
    this.text = JSON.parse(root.dataset.messages || "{}");
    this.partsUrl = root.dataset.partsUrl;
    this.news = root.querySelector(".dbalie-desk-news");
    if (!this.news) {
      this.news = document.createElement("p");
      this.news.className = "dbalie-desk-news visually-hidden";
      this.news.setAttribute("role", "status");
      root.prepend(this.news);
    }
    this.queued = new Set();
    this.fetching = null;
    this.people = new People();
    this.waitingBefore = new Set();
    this.root.addEventListener("submit", (event) => this.onSubmit(event));
    this.root.addEventListener("click", (event) => this.onClick(event));
    this.root.addEventListener("change", (event) => {
      if (event.target.id === "waiting-sound") localStorage.setItem(SOUND_KEY, event.target.checked ? "on" : "off");
    });
    const sound = root.querySelector("#waiting-sound");
    if (sound) sound.checked = soundOn();
    // The room (room.js) passes on what it hears in the call.
    // (When the watch socket is up it brings the same update: fetch once.)
    document.addEventListener("dbalie:update", (event) => {
      if (this.root.dataset.live !== "push") this.refresh(event.detail.parts);
    });
    document.addEventListener("dbalie:presence", (event) => this.onPresence(event.detail));
    document.addEventListener("dbalie:changed", (event) => this.refresh(event.detail.parts));
    document.addEventListener("dbalie:room", () => this.renderWaiting());
    this.watch = new Watch(root.dataset.deskUrl, {
      onState: (connected, seconds) => this.setLive(connected, seconds),
      onMessage: (message) => this.onMessage(message),
      onGone: () => this.refresh(["state"]),
    });
    // Taken from the walk-in queue (the agenda's "Take the next citizen"):
    // the employee joins the call now and lets the citizen in when they come.
    this.walkIn = location.hash === "#walk-in" && root.querySelector(".room-waiting");
    if (this.walkIn) {
      history.replaceState(null, "", location.pathname + location.search);
      const join = (tries) => (this.room ? this.room.join() : tries && setTimeout(() => join(tries - 1), 100));
      join(50);
    }
  }

  get room() {
    return document.querySelector(".dbalie-room")?.room;
  }

  setLive(connected, seconds) {
    this.root.dataset.live = connected ? "push" : "poll";
    if (connected) {
      clearInterval(this.poller);
      this.poller = null;
    } else if (!this.poller) {
      // Every failed reconnect lands here too: keep the one timer going.
      this.poller = setInterval(() => this.refreshAll(), seconds * 1000);
    }
  }

  onMessage(message) {
    switch (message.type) {
      case "watching":
        // (Re)connected: whatever changed while we were away is fetched now.
        this.refreshAll();
        this.onPresence(message);
        break;
      case "update":
        this.refresh(message.parts);
        break;
      case "presence":
        this.onPresence(message);
        break;
    }
  }

  partNames() {
    return [...new Set([...this.root.querySelectorAll("[data-desk-part]")].map((el) => el.dataset.deskPart))];
  }

  refreshAll() {
    this.refresh(this.partNames());
  }

  // Ask for the changed parts; changes that come in meanwhile wait for the next round.
  refresh(parts) {
    for (const part of parts || []) this.queued.add(part);
    if (this.fetching || !this.queued.size) return this.fetching;
    this.fetching = this.fetchParts().finally(() => {
      this.fetching = null;
      // Asked for meanwhile (not the parts put off for later): another round.
      if (this.queued.size && !this.later) this.refresh([]);
    });
    return this.fetching;
  }

  async fetchParts() {
    const names = [...this.queued];
    this.queued.clear();
    const url = new URL(this.partsUrl, location.href);
    for (const name of names) url.searchParams.append("desk-part", name);
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    } catch (error) {
      for (const name of names) this.queued.add(name);
      return; // the next push or poll tries again
    }
    if (response.status === 410) {
      // Cancelled: the page is now another one (the call is closed already),
      // unless the citizen's own cancel is taking them there right now.
      if (!leaving) location.reload();
      return;
    }
    if (!response.ok) return;
    const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
    const changed = [];
    for (const fresh of fragment.querySelectorAll("[data-desk-part][id]")) {
      const current = document.getElementById(fresh.id);
      if (!current) continue;
      if (same(current, fresh)) continue;
      if (current.querySelector("[aria-busy=true]") || dirty(current)) {
        // A form in it is working (an upload), or has input not sent yet (a
        // chosen file, a typed amount): put the part in place a little later.
        this.queued.add(fresh.dataset.deskPart);
        clearTimeout(this.later);
        this.later = setTimeout(() => {
          this.later = null;
          this.refresh([]);
        }, 2000);
        continue;
      }
      const before = current.dataset.deskSummary;
      const focused = current.contains(document.activeElement) ? document.activeElement : null;
      const place = focused ? focusables(current).indexOf(focused) : -1;
      const replacement = document.importNode(fresh, true);
      // What a form just said (an upload's "Saved: …") stays on the new part.
      for (const kept of current.querySelectorAll("[data-desk-keep][id]")) {
        const twin = replacement.querySelector(`#${CSS.escape(kept.id)}`);
        if (twin) twin.textContent = kept.textContent;
      }
      current.replaceWith(replacement);
      // The keyboard user stays where they were: the same control, else the part.
      const again = focused?.id ? document.getElementById(focused.id) : focusables(replacement)[place];
      if (again) {
        again.focus();
      } else if (focused) {
        replacement.setAttribute("tabindex", "-1");
        replacement.focus();
      }
      if (fresh.dataset.deskSummary !== undefined && fresh.dataset.deskSummary !== before) {
        const heading = replacement.querySelector("h2, h3")?.textContent.trim();
        changed.push([heading, fresh.dataset.deskSummary].filter(Boolean).join(": "));
      }
      replacement.dispatchEvent(new CustomEvent("dbalie:part", { bubbles: true }));
    }
    if (changed.length) this.say(`${this.text.changed} ${changed.join(". ")}`);
    this.renderWaiting();
  }

  say(text) {
    // Emptied first, so that the same news twice is read out twice.
    this.news.textContent = "";
    setTimeout(() => (this.news.textContent = text), 50);
  }

  // --- actions -------------------------------------------------------------------

  async onSubmit(event) {
    const form = event.target.closest("form[data-desk-action]");
    if (!form) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return; // a second click while the first runs
    const body = {};
    for (const [name, value] of new FormData(form, event.submitter)) {
      if (name !== "_authenticator" && typeof value === "string") body[name] = value;
    }
    const error = form.querySelector(".dbalie-desk-error") || form.appendChild(document.createElement("p"));
    error.className = "dbalie-desk-error";
    error.setAttribute("role", "alert");
    error.textContent = "";
    const buttons = form.querySelectorAll("button");
    form.setAttribute("aria-busy", "true");
    for (const button of buttons) button.disabled = true;
    const working = setTimeout(() => (error.textContent = this.text.working), 700);
    let answer = {};
    let ok = false;
    try {
      // A form with two buttons (save the note / complete) may send each elsewhere.
      const target = event.submitter?.dataset.deskAction || form.dataset.deskAction;
      const response = await fetch(target, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Math.random()),
        },
        body: JSON.stringify(body),
      });
      ok = response.ok;
      answer = await response.json().catch(() => ({}));
    } catch (failure) {
      answer = {};
    }
    clearTimeout(working);
    form.removeAttribute("aria-busy");
    for (const button of buttons) button.disabled = false;
    if (!ok) {
      const fields = answer.error?.fields || {};
      const detail = Object.values(fields).join(" ");
      error.textContent = [answer.error?.message || this.text.failed, detail].filter(Boolean).join(" ");
      return;
    }
    error.textContent = "";
    // Sent: the form's input is no longer pending (its part may be put in place).
    form.reset();
    if (form.dataset.deskReveal) {
      // Shown on this page only (the whole BSN is never in a part the other
      // tabs fetch); the form has done its work.
      const part = form.closest("[data-desk-part]");
      const target = part?.querySelector(`.dbalie-${form.dataset.deskReveal}`);
      if (target) target.textContent = answer[form.dataset.deskReveal];
      form.remove();
      target?.setAttribute("tabindex", "-1");
      target?.focus();
      return;
    }
    form.dispatchEvent(new CustomEvent("dbalie:done", { bubbles: true, detail: answer }));
    await this.refresh((form.dataset.deskParts || "").split(" ").filter(Boolean));
  }

  onClick(event) {
    const pay = event.target.closest("a.dbalie-pay[data-payment]");
    if (pay) {
      // The provider sends the citizen back to a page that has no secret in its
      // address; it finds the way back to this page here (payment_return.js).
      try {
        localStorage.setItem(`dbalie-return-${pay.dataset.payment}`, this.partsUrl);
      } catch (error) {
        // Private mode: the return page then says to come back to this tab.
      }
    }
  }

  // --- who is waiting (employee) -------------------------------------------------

  onPresence(message) {
    this.people.apply(message);
    this.renderWaiting();
  }

  renderWaiting() {
    const list = this.root.querySelector(".room-waiting");
    if (!list) return;
    const waiting = this.people.waiting();
    const ids = new Set(waiting.map((person) => person.participant));
    const fresh = waiting.filter((person) => !this.waitingBefore.has(person.participant));
    this.waitingBefore = ids;
    const room = this.room;
    const inCall = Boolean(room?.inCall);
    // Rebuilt only when who waits changed: a button in use stays in place.
    const signature = JSON.stringify(waiting.map((p) => [p.participant, p.name]));
    if (signature !== this.waitingSignature) {
      this.waitingSignature = signature;
      list.replaceChildren();
      for (const person of waiting) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "utrecht-button utrecht-button--primary-action";
        button.textContent = format(this.text.admit, person.name);
        const hint = document.createElement("span");
        hint.className = "visually-hidden dbalie-admit-hint";
        button.append(hint);
        button.addEventListener("click", () => this.room?.admit(person.participant));
        item.append(button);
        list.append(item);
      }
    }
    // Not in the call yet: letting someone in joins the employee too.
    for (const hint of list.querySelectorAll(".dbalie-admit-hint")) {
      hint.textContent = inCall ? "" : ` ${this.text.admit_joins}`;
    }
    const mark = this.root.querySelector(".dbalie-waiting-mark");
    const names = waiting.map((person) => person.name).join(", ");
    if (mark) {
      mark.hidden = !waiting.length;
      mark.textContent = waiting.length ? format(this.text.waiting, names) : "";
    }
    markTitle("desk", waiting.length ? format(this.text.waiting_title, names) : "");
    const walkIn = this.walkIn && fresh.find((person) => person.role === "citizen");
    if (walkIn) {
      this.walkIn = false;
      this.room?.admit(walkIn.participant);
    }
    if (fresh.length) {
      this.say(format(this.text.waiting, fresh.map((person) => person.name).join(", ")));
      if (soundOn()) beep();
    }
  }
}

// The agenda: a mark on each video appointment whose citizen waits.
class AgendaRow {
  constructor(row, text) {
    this.row = row;
    this.text = text;
    this.people = new People();
    this.before = new Set();
    this.mark = row.querySelector(".dbalie-waiting-mark");
    new Watch(row.dataset.watchUrl, {
      onMessage: (message) => {
        this.people.apply(message);
        this.render();
      },
    });
  }

  render() {
    const waiting = this.people.waiting();
    const names = waiting.map((person) => person.name).join(", ");
    this.mark.hidden = !waiting.length;
    this.mark.textContent = waiting.length ? format(this.text.waiting, names) : "";
    this.row.classList.toggle("dbalie-row-waiting", waiting.length > 0);
    markTitle(this.row.dataset.watchUrl, waiting.length ? format(this.text.waiting_title, names) : "");
    const fresh = waiting.some((person) => !this.before.has(person.participant));
    this.before = new Set(waiting.map((person) => person.participant));
    if (fresh && soundOn()) beep();
  }
}

const start = () => {
  for (const root of document.querySelectorAll(".dbalie-desk[data-desk-url]")) root.desk = new Desk(root);
  const table = document.querySelector("[data-watch-messages]");
  if (table) {
    const text = JSON.parse(table.dataset.watchMessages);
    for (const row of table.querySelectorAll("[data-watch-url]")) new AgendaRow(row, text);
  }
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
