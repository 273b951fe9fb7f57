// Digitale Balie video room: camera check, waiting room, peer-to-peer video,
// mute, camera, screen sharing (employee), chat, quality hint, reconnection.
// Media goes browser to browser; the room server only passes messages.

const RANK = { employee: 3, citizen: 2, guest: 1 };

class Room {
  constructor(section) {
    this.section = section;
    this.text = JSON.parse(section.querySelector(".room-messages").textContent);
    this.infoUrl = section.dataset.infoUrl;
    this.status = section.querySelector(".room-status");
    this.localVideo = section.querySelector(".room-local");
    this.remoteArea = section.querySelector(".room-remotes");
    this.chatLog = section.querySelector(".room-chat-log");
    this.quality = section.querySelector(".room-quality");
    this.peers = new Map(); // participant -> {pc, video, role, name}
    this.stream = null;
    this.ws = null;
    this.leaving = false;
    this.callKey = `dbalie-call-${this.infoUrl}`;
    this.bind();
    const saved = sessionStorage.getItem(this.callKey);
    if (saved) {
      // This tab was in the call a moment ago (a reload): go straight back.
      try {
        this.resume = JSON.parse(saved).resume;
      } catch (error) {
        this.resume = null;
      }
      this.join();
    }
  }

  // The employee lets someone in; not in the call yet, they join it at once.
  admit(participant) {
    if (this.inCall && this.ws) {
      this.send({ type: "admit", participant });
    } else {
      this.pendingAdmit = participant;
      this.join();
    }
    this.status.setAttribute("tabindex", "-1");
    this.status.focus();
  }

  $(name) {
    return this.section.querySelector(`[data-action="${name}"]`);
  }

  say(message, kind = "info") {
    this.status.textContent = message;
    this.status.dataset.kind = kind;
  }

  bind() {
    this.$("check").addEventListener("click", () => this.check());
    this.$("join").addEventListener("click", () => this.join());
    this.$("mute").addEventListener("click", () => this.toggle("audio", "mute"));
    this.$("camera").addEventListener("click", () => this.toggle("video", "camera"));
    this.$("leave").addEventListener("click", () => this.leave());
    const share = this.$("share");
    if (share) share.addEventListener("click", () => this.share());
    const close = this.$("close-document");
    if (close) close.addEventListener("click", () => this.send({ type: "show", document: null }));
    // The document list is a part of the live desk, put in place anew after changes.
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-show-document]");
      if (button) this.showDocument(button);
    });
    // The device check is remembered for this tab's session: after Leave or a
    // reload, Join is one click (or none: a reload during the call rejoins).
    if (sessionStorage.getItem("dbalie-devices") === "ok") this.$("join").disabled = false;
    this.section.querySelector(".room-chat").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = event.target.querySelector("input");
      const text = input.value.trim();
      if (text && this.ws) {
        this.send({ type: "chat", text });
        input.value = "";
      }
    });
  }

  async check() {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      this.say(this.text.devices_ok);
    } catch (error) {
      if (error.name === "NotAllowedError") {
        this.say(this.text.denied, "error");
        return false;
      }
      try {
        // No camera: go on with sound only.
        this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        this.say(this.text.audio_only, "warning");
      } catch (second) {
        this.say(second.name === "NotAllowedError" ? this.text.denied : this.text.no_devices, "error");
        return false;
      }
    }
    this.localVideo.srcObject = this.stream;
    this.hasCamera = this.stream.getVideoTracks().length > 0;
    this.$("join").disabled = false;
    sessionStorage.setItem("dbalie-devices", "ok");
    return true;
  }

  async join() {
    if (this.joining) return; // a second click while the first is on its way
    this.joining = true;
    try {
      if (!this.stream && !(await this.check())) return;
      this.leaving = false;
      this.attempts = 0;
      if (!(await this.fetchInfo())) return;
      if (this.info.provider === "jitsi" || this.info.provider === "livekit") this.embed();
      else this.connect();
    } finally {
      this.joining = false;
    }
  }

  // Jitsi Meet or LiveKit shows the call; this page only checked the devices
  // and asked Plone for the engine's token.
  embed() {
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.localVideo.srcObject = null;
    if (this.engineArea) {
      this.engineArea.replaceChildren();
    } else {
      this.engineArea = document.createElement("div");
      this.engineArea.className = "room-engine";
      this.section.querySelector(".room-videos").replaceWith(this.engineArea);
    }
    // The engine has its own buttons and chat.
    for (const name of ["mute", "camera", "share"]) {
      const button = this.$(name);
      if (button) button.hidden = true;
    }
    this.section.querySelector(".room-chat-area").hidden = true;
    this.setInCall(true);
    this.$("leave").focus();
    if (this.info.provider === "jitsi") {
      const config = this.info.jitsi;
      // Leaving (or joining again) before the script arrived: this join is over.
      const attempt = (this.engineAttempt = (this.engineAttempt || 0) + 1);
      const start = () => {
        if (this.leaving || attempt !== this.engineAttempt) return;
        this.engine = new window.JitsiMeetExternalAPI(config.domain, {
          roomName: config.room,
          jwt: config.jwt,
          parentNode: this.engineArea,
          width: "100%",
          height: 540,
          lang: document.documentElement.lang || "nl",
          userInfo: { displayName: config.name },
        });
        this.engine.addListener("readyToClose", () => this.leave());
        this.say(this.text.in_room);
      };
      if (window.JitsiMeetExternalAPI) {
        start();
      } else {
        const script = document.createElement("script");
        script.src = config.script;
        script.addEventListener("error", () => this.say(this.text.failed, "error"));
        script.addEventListener("load", start);
        document.head.append(script);
      }
    } else {
      const frame = document.createElement("iframe");
      frame.src = this.info.livekit.page;
      frame.title = this.text.video_call;
      frame.allow = "camera; microphone; display-capture; fullscreen; autoplay";
      this.engineArea.append(frame);
      this.engine = { dispose: () => frame.remove() };
      this.say(this.text.in_room);
    }
  }

  // Tokens live a few minutes: every (re)connection asks Plone for a new one.
  async fetchInfo() {
    try {
      const response = await fetch(this.infoUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const info = await response.json();
      if (!response.ok) {
        // Before the room opens that is a fact to know, not an error.
        const early = info.error?.type === "RoomClosed";
        this.say(info.error ? info.error.message : this.text.failed, early ? "info" : "error");
        return false;
      }
      this.info = info;
      return true;
    } catch (error) {
      this.say(this.text.failed, "error");
      return false;
    }
  }

  connect() {
    this.ws = new WebSocket(this.info.signal_url);
    this.ws.addEventListener("open", () =>
      this.send({ type: "join", token: this.info.token, resume: this.resume }),
    );
    this.ws.addEventListener("message", (event) => this.onMessage(JSON.parse(event.data)));
    this.ws.addEventListener("close", (event) => this.onClose(event));
    this.say(this.text.connecting);
  }

  send(data) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(data));
  }

  onClose(event) {
    this.ws = null;
    if (event.code === 4403) {
      // The appointment was cancelled: the room is gone for good.
      this.revoked();
      return;
    }
    if (this.leaving || event.code === 4000 || event.code === 4401 || event.code === 4409) return;
    if (this.attempts >= 8) {
      this.say(this.text.failed, "error");
      this.setInCall(false);
      return;
    }
    // A network drop: try again, waiting longer each time (2 s up to 30 s).
    this.say(this.text.reconnecting, "warning");
    const delay = Math.min(30000, 2000 * 2 ** this.attempts);
    this.attempts += 1;
    this.retry = setTimeout(async () => {
      if (!this.leaving && (await this.fetchInfo())) this.connect();
    }, delay);
  }

  setInCall(inCall) {
    this.inCall = inCall;
    this.section.classList.toggle("in-call", inCall);
    document.dispatchEvent(new CustomEvent("dbalie:room", { detail: { inCall } }));
    for (const name of ["mute", "camera", "leave", "share"]) {
      const button = this.$(name);
      if (button) button.disabled = !inCall;
    }
    if (inCall && !this.hasCamera) {
      this.$("camera").disabled = true;
      const share = this.$("share");
      if (share) share.disabled = true;
    }
    this.section.querySelector(".room-chat button").disabled = !inCall;
    this.$("join").disabled = inCall;
  }

  onMessage(message) {
    switch (message.type) {
      case "welcome":
        this.me = message.you;
        this.role = message.role;
        this.admitted = message.admitted;
        this.resume = message.resume;
        this.attempts = 0;
        // A reload of this tab comes back into the call, past the waiting room.
        sessionStorage.setItem(this.callKey, JSON.stringify({ resume: this.resume }));
        this.setInCall(true);
        if (this.pendingAdmit) {
          this.send({ type: "admit", participant: this.pendingAdmit });
          this.pendingAdmit = null;
        }
        // The focused Join button is now disabled: keep the focus in the room.
        this.$("leave").focus();
        this.say(this.admitted ? this.text.in_room : this.text.waiting);
        for (const peer of message.peers) this.onPresence({ event: "join", ...peer });
        break;
      case "admitted":
        this.admitted = true;
        this.say(this.text.admitted);
        for (const [id, peer] of this.peers) if (peer.admitted) this.maybeOffer(id);
        break;
      case "presence":
        this.onPresence(message);
        document.dispatchEvent(new CustomEvent("dbalie:presence", { detail: message }));
        break;
      case "update":
        // Something on the page changed: the desk (desk.js) fetches it.
        document.dispatchEvent(new CustomEvent("dbalie:update", { detail: message }));
        break;
      case "signal":
        this.onSignal(message.from, message.data);
        break;
      case "chat":
        this.addChat(message);
        break;
      case "show":
        this.renderDocument(message.document);
        break;
      case "error":
        if (message.code === "revoked") break; // the close that follows says it
        this.say(message.message, "error");
        if (message.code === "replaced") this.setInCall(false);
        break;
    }
  }

  onPresence(message) {
    const id = message.participant;
    // The same person again (reload, network drop): start their connection anew.
    if (message.event === "join" && this.peers.get(id)?.pc) this.dropPeer(id);
    if (message.event === "leave") {
      this.dropPeer(id);
      this.say(this.text.left.replace("${name}", message.name));
      return;
    }
    if (message.event === "reconnecting") {
      // A network drop or a reload on the other side: they come back soon.
      const peer = this.peers.get(id);
      if (peer?.figure) peer.figure.classList.add("room-reconnecting");
      this.say(this.text.peer_reconnecting.replace("${name}", message.name), "warning");
      return;
    }
    const peer = this.peers.get(id) || { role: message.role, name: message.name };
    peer.admitted = message.admitted;
    this.peers.set(id, peer);
    // (Who waits is listed by the live desk, desk.js, in and out of the call.)
    if (message.event === "join" && !message.admitted && this.role === "employee") {
      this.say(this.text.someone_waiting.replace("${name}", message.name));
    }
    if (peer.admitted && this.admitted) this.maybeOffer(id);
  }

  makePc(id) {
    const peer = this.peers.get(id);
    if (peer.pc) return peer.pc;
    const pc = new RTCPeerConnection({ iceServers: this.info.ice_servers || [] });
    peer.pc = pc;
    for (const track of this.stream.getTracks()) {
      const shared = track.kind === "video" && this.screenTrack;
      pc.addTrack(shared ? this.screenTrack : track, this.stream);
    }
    if (this.offers(id)) {
      // Without a camera (or microphone) still ask for the other's video and sound.
      for (const kind of ["audio", "video"]) {
        if (!this.stream.getTracks().some((track) => track.kind === kind)) {
          pc.addTransceiver(kind, { direction: "recvonly" });
        }
      }
    }
    pc.addEventListener("icecandidate", (event) => {
      if (event.candidate) this.send({ type: "signal", to: id, data: { candidate: event.candidate.toJSON() } });
    });
    pc.addEventListener("track", (event) => this.showRemote(id, event.streams[0]));
    pc.addEventListener("iceconnectionstatechange", () => {
      const state = pc.iceConnectionState;
      if (state === "connected" || state === "completed") this.say(this.text.connected);
      if (state === "failed" && this.offers(id)) this.offer(id, true);
      if (state === "disconnected") this.say(this.text.unstable, "warning");
    });
    return pc;
  }

  offers(id) {
    const other = this.peers.get(id);
    const mine = RANK[this.role];
    const theirs = RANK[other.role];
    return mine > theirs || (mine === theirs && this.me < id);
  }

  maybeOffer(id) {
    if (this.offers(id) && !this.peers.get(id).pc) this.offer(id, false);
  }

  async offer(id, restart) {
    const pc = this.makePc(id);
    const offer = await pc.createOffer({ iceRestart: restart });
    await pc.setLocalDescription(offer);
    this.send({ type: "signal", to: id, data: { description: pc.localDescription.toJSON() } });
  }

  async onSignal(from, data) {
    if (!this.peers.has(from)) this.peers.set(from, { role: "guest", name: "", admitted: true });
    const pc = this.makePc(from);
    if (data.description) {
      await pc.setRemoteDescription(data.description);
      if (data.description.type === "offer") {
        await pc.setLocalDescription(await pc.createAnswer());
        this.send({ type: "signal", to: from, data: { description: pc.localDescription.toJSON() } });
      }
    } else if (data.candidate) {
      try {
        await pc.addIceCandidate(data.candidate);
      } catch (error) {
        console.warn("ICE candidate refused", error);
      }
    }
  }

  showRemote(id, stream) {
    const peer = this.peers.get(id);
    if (!peer.video) {
      const figure = document.createElement("figure");
      peer.video = document.createElement("video");
      peer.video.autoplay = true;
      peer.video.playsInline = true;
      peer.video.className = "room-remote";
      const caption = document.createElement("figcaption");
      caption.textContent = peer.name;
      figure.append(peer.video, caption);
      this.remoteArea.append(figure);
      peer.figure = figure;
    }
    peer.video.srcObject = stream;
    this.watchQuality(peer);
  }

  watchQuality(peer) {
    clearInterval(peer.timer);
    peer.timer = setInterval(async () => {
      if (!peer.pc) return;
      const stats = await peer.pc.getStats();
      let rtt = null;
      stats.forEach((report) => {
        if (report.type === "candidate-pair" && report.state === "succeeded" && report.currentRoundTripTime != null) {
          rtt = report.currentRoundTripTime;
        }
      });
      if (rtt === null) return;
      const good = rtt < 0.3;
      const text = good ? this.text.quality_good : this.text.quality_poor;
      if (this.quality.textContent !== text) this.quality.textContent = text;
    }, 3000);
  }

  dropPeer(id) {
    const peer = this.peers.get(id);
    if (!peer) return;
    clearInterval(peer.timer);
    if (peer.pc) peer.pc.close();
    if (peer.figure) peer.figure.remove();
    this.peers.delete(id);
  }

  toggle(kind, action) {
    const button = this.$(action);
    const tracks = kind === "audio" ? this.stream.getAudioTracks() : this.stream.getVideoTracks();
    if (!tracks.length) return;
    const off = tracks[0].enabled;
    for (const track of tracks) track.enabled = !off;
    button.setAttribute("aria-pressed", String(off));
    this.say(this.text[`${action}_${off ? "off" : "on"}`]);
  }

  async share() {
    try {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const track = screen.getVideoTracks()[0];
      this.screenTrack = track;
      for (const peer of this.peers.values()) {
        const sender = peer.pc && peer.pc.getSenders().find((s) => s.track && s.track.kind === "video");
        if (sender) await sender.replaceTrack(track);
      }
      this.say(this.text.sharing);
      track.addEventListener("ended", async () => {
        this.screenTrack = null;
        const camera = this.stream && this.stream.getVideoTracks()[0];
        for (const peer of this.peers.values()) {
          const sender = peer.pc && peer.pc.getSenders().find((s) => s.track && s.track.kind === "video");
          if (sender && camera) await sender.replaceTrack(camera);
        }
        this.say(this.text.sharing_stopped);
      });
    } catch (error) {
      this.say(this.text.sharing_failed, "warning");
    }
  }

  // The employee shows a document of the dossier: it is shared with the
  // citizen (Plone records that), then everybody in the room gets to see it.
  async showDocument(button) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      this.say(this.text.join_first, "warning");
      return;
    }
    const documentInfo = JSON.parse(button.dataset.showDocument);
    const response = await fetch(button.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ id: documentInfo.id }),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      this.say(data.error ? data.error.message : response.statusText, "error");
      return;
    }
    this.send({ type: "show", document: documentInfo });
  }

  renderDocument(documentInfo) {
    const viewer = this.section.querySelector(".room-viewer");
    const body = viewer.querySelector(".room-viewer-body");
    body.replaceChildren();
    if (!documentInfo) {
      viewer.hidden = true;
      this.say(this.text.document_closed);
      return;
    }
    viewer.querySelector(".room-viewer-title").textContent = documentInfo.title;
    const template = viewer.dataset.documentUrl;
    if (!template) {
      body.textContent = this.text.document_unavailable;
    } else {
      const url = template.replace("{id}", encodeURIComponent(documentInfo.id));
      let view;
      if (documentInfo.kind === "image") {
        view = document.createElement("img");
        view.alt = documentInfo.title;
      } else {
        view = document.createElement("iframe");
        view.title = documentInfo.title;
      }
      view.className = "room-viewer-document";
      view.src = url;
      body.append(view);
    }
    viewer.hidden = false;
    this.say(this.text.document_shown.replace("${title}", documentInfo.title));
  }

  addChat(message) {
    const item = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = message.from === this.me ? this.text.you : message.name;
    item.append(who, `: ${message.text}`);
    this.chatLog.append(item);
  }

  revoked() {
    this.leave();
    this.say(this.text.revoked, "error");
  }

  leave() {
    this.leaving = true;
    clearTimeout(this.retry);
    sessionStorage.removeItem(this.callKey);
    this.resume = null;
    // Gone on purpose: the others see "left" at once, not "reconnecting".
    this.send({ type: "bye" });
    if (this.engine) {
      this.engine.dispose();
      this.engine = null;
    }
    for (const id of [...this.peers.keys()]) this.dropPeer(id);
    if (this.ws) this.ws.close();
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.localVideo.srcObject = null;
    this.setInCall(false);
    // Joining again is one click: the devices were checked in this session.
    this.say(this.text.left_room);
    this.$("join").focus();
  }
}

for (const section of document.querySelectorAll(".dbalie-room")) {
  section.room = new Room(section);
}

// The employee invites a guest: a link for one person, shown to copy.
for (const form of document.querySelectorAll(".room-invite")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = form.querySelector(".room-invite-result");
    const response = await fetch(form.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ name: form.elements.name.value }),
    });
    const data = await response.json();
    result.replaceChildren();
    if (!response.ok) {
      result.textContent = data.error ? data.error.message : response.statusText;
      return;
    }
    const link = document.createElement("input");
    link.className = "form-control";
    link.readOnly = true;
    link.value = data.url;
    link.setAttribute("aria-label", form.dataset.linkLabel.replace("${name}", data.name));
    result.append(link);
    link.focus();
    link.select();
  });
}
