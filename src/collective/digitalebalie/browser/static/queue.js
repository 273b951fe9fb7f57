// The walk-in queue, live (issue 19).
//
// The citizen's queue page and the agenda keep a "watch" socket on the
// product's queue path of the room server (desk.js's Watch). Each change of
// the queue brings `{"type": "update", "parts": ["queue"]}` (no personal data);
// the page then asks Plone for the ticket (citizen) or the queue (staff).
// Without the room server the page asks every 10 s. The citizen's page asks
// at least every 30 s anyway: that tells Plone they are still there.
//
// When it is the citizen's turn: a sound, the tab's title, and the page moves
// into the call without a reload (the appointment page's content is put in
// place and the call's scripts started, which join the call at once).

import { Watch, beep } from "./desk.js";

const fill = (text, values) => Object.entries(values).reduce((t, [k, v]) => t.replaceAll("${" + k + "}", v), text || "");

const getJson = async (url) => {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) return null;
  return response.json();
};

class Ticket {
  constructor(root) {
    this.root = root;
    this.text = JSON.parse(root.dataset.messages || "{}");
    this.url = root.dataset.ticketUrl;
    this.place = root.querySelector(".dbalie-queue-place");
    this.title = document.title;
    this.busy = false;
    this.moved = false;
    this.watch = new Watch(root.dataset.watchUrl, {
      onState: (connected, seconds) => this.setLive(connected, seconds),
      onMessage: (message) => {
        if (message.type === "update" || message.type === "watching") this.refresh();
      },
    });
    // "Still here", also while the socket brings every change.
    this.heartbeat = setInterval(() => this.refresh(), 30000);
  }

  setLive(connected, seconds) {
    this.root.dataset.live = connected ? "push" : "poll";
    clearInterval(this.poller);
    this.poller = connected ? null : setInterval(() => this.refresh(), Math.min(seconds, 10) * 1000);
  }

  async refresh() {
    if (this.busy || this.moved) return;
    this.busy = true;
    try {
      const ticket = await getJson(this.url);
      if (ticket) this.render(ticket);
    } catch (error) {
      // The next push or poll tries again.
    } finally {
      this.busy = false;
    }
  }

  line(className, text) {
    const p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  render(ticket) {
    this.root.dataset.state = ticket.state;
    if (ticket.state === "waiting") {
      const position =
        ticket.position === 1 ? this.text.first : fill(this.text.position, { n: ticket.position });
      const wait =
        ticket.estimated_wait_minutes == null ? "" : fill(this.text.wait, { minutes: ticket.estimated_wait_minutes });
      const shown = this.place.querySelector(".dbalie-queue-position");
      // Only a real change is put in place: a screen reader reads each one.
      if (shown?.textContent.trim() !== position || this.place.querySelector(".dbalie-queue-wait")?.textContent.trim() !== wait) {
        this.place.replaceChildren(this.line("dbalie-queue-position h3", position), this.line("dbalie-queue-wait", wait));
      }
      return;
    }
    if ((ticket.state === "called" || ticket.state === "in_call") && ticket.appointment) {
      this.yourTurn(ticket.appointment);
      return;
    }
    // Left (or gone too long), or over: the page says so; the forms go.
    this.place.replaceChildren(this.line("dbalie-queue-left", ticket.state === "done" ? this.text.done : this.text.left));
    for (const form of this.root.querySelectorAll(".dbalie-queue-leave, .dbalie-queue-callback")) form.remove();
  }

  async yourTurn(url) {
    if (this.moved) return;
    this.moved = true;
    clearInterval(this.heartbeat);
    clearInterval(this.poller);
    this.watch.closed = true;
    this.watch.socket?.close();
    beep();
    document.title = `${this.text.your_turn_title} – ${this.title}`;
    this.place.replaceChildren(this.line("dbalie-queue-position h3", this.text.your_turn));
    // The appointment's page, put in place of this one: no reload.
    let page;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      page = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (error) {
      location.assign(url); // then with a reload: the call matters more
      return;
    }
    const desk = page.querySelector(".dbalie-appointment");
    if (!desk) {
      location.assign(url);
      return;
    }
    const fresh = document.importNode(desk, true);
    this.root.replaceWith(fresh);
    history.replaceState(null, "", url);
    // The call's scripts, run for the new content (a module runs once per
    // address, hence the query).
    const base = this.root.dataset.staticUrl;
    await import(`${base}/desk.js?walk-in`);
    await import(`${base}/room.js?walk-in`);
    const room = fresh.querySelector(".dbalie-room")?.room;
    room?.join();
    fresh.querySelector(".room-status")?.setAttribute("tabindex", "-1");
    fresh.querySelector(".room-status")?.focus();
  }
}

// The agenda: the queue of the employee's teams, live.
class StaffQueue {
  constructor(root) {
    this.root = root;
    this.text = JSON.parse(root.dataset.messages || "{}");
    this.url = root.dataset.queueUrl;
    this.count = root.querySelector(".dbalie-walk-in-count");
    this.list = root.querySelector(".dbalie-walk-in-list");
    this.title = document.title;
    this.known = null;
    const urls = (root.dataset.watchUrls || "").split(" ").filter(Boolean);
    this.pushed = new Set();
    for (const url of urls) {
      new Watch(url, {
        onState: (connected) => {
          if (connected) this.pushed.add(url);
          else this.pushed.delete(url);
          this.setPolling(this.pushed.size < urls.length);
        },
        onMessage: (message) => {
          if (message.type === "update" || message.type === "watching") this.refresh();
        },
      });
    }
    this.refresh();
    // Working in the agenda counts as activity: stay available (at most every 5 minutes).
    this.active = Date.now();
    for (const kind of ["keydown", "pointerdown"]) {
      document.addEventListener(kind, () => this.activity(), { passive: true });
    }
  }

  setPolling(on) {
    if (on && !this.poller) this.poller = setInterval(() => this.refresh(), 10000);
    if (!on && this.poller) {
      clearInterval(this.poller);
      this.poller = null;
    }
  }

  async activity() {
    if (Date.now() - this.active < 5 * 60 * 1000 || !this.available) return;
    this.active = Date.now();
    await fetch(this.root.dataset.queueUrl.replace(/@queue$/, "@availability"), {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ available: true }),
    });
  }

  minutes(iso) {
    return Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));
  }

  async refresh() {
    let queue;
    try {
      queue = await getJson(this.url);
    } catch (error) {
      return;
    }
    if (!queue) return;
    this.available = queue.available;
    const items = queue.items;
    const countText = items.length
      ? `${fill(this.text.count, { n: items.length })}, ${fill(this.text.longest, { minutes: this.minutes(items[0].waiting_since) })}`
      : this.text.nobody;
    if (this.count.textContent.trim() !== countText) this.count.textContent = countText;
    this.list.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement("li");
        li.textContent = `${item.fullname} – ${item.product.title} (${fill(this.text.since, { minutes: this.minutes(item.waiting_since) })})`;
        return li;
      }),
    );
    document.title = items.length ? `(${items.length}) ${fill(this.text.title, { n: items.length })} – ${this.title}` : this.title;
    const ids = new Set(items.map((item) => item.id));
    const fresh = this.known && [...ids].some((id) => !this.known.has(id));
    this.known = ids;
    if (fresh && localStorage.getItem("dbalie-waiting-sound") !== "off") beep();
  }
}

const start = () => {
  for (const root of document.querySelectorAll(".dbalie-queue[data-ticket-url]")) {
    if (root.dataset.state !== "left") root.ticket = new Ticket(root);
  }
  for (const root of document.querySelectorAll(".dbalie-walk-in-desk[data-queue-url]")) root.queue = new StaffQueue(root);
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
