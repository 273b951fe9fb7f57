// Digitale Balie device test: camera preview, microphone level, a test tone,
// and the network as the call will use it (the room server, and TURN with a
// loopback connection forced through the relay). Plain ES module, no eval:
// the page has a strict Content-Security-Policy.

const SILENCE_AFTER_MS = 6000; // no sound for this long: "We hear nothing"
const HEARD_LEVEL = 3; // meter value (0-100) that counts as sound
const SLOW_MS = 400; // a round trip slower than this makes the video stutter
const TIMEOUT_MS = 15000;
const PINGS = 3;

const root = document.querySelector(".device-test");
const text = JSON.parse(root.querySelector(".device-test-messages").textContent);
const preview = root.querySelector(".device-test-preview");
const meter = root.querySelector("#dt-mic-level");
const heard = root.querySelector(".device-test-heard");
const verdictBox = root.querySelector(".device-test-verdict");
const $ = (name) => root.querySelector(`[data-action="${name}"]`);

const fill = (message, values = {}) =>
  message.replace(/\$\{(\w+)\}/g, (_match, key) => String(values[key] ?? ""));

// part -> "pending" | "ok" | "warn" | "fail" | "skip"
const state = {};
const times = {};
let run = null; // what the current run holds: stream, timers, sockets, connections
let audio = null;

function show(part, kind, message) {
  const element = root.querySelector(`[data-part="${part}"]`);
  if (element.textContent !== message) element.textContent = message;
  element.dataset.kind = kind;
  state[part] = kind;
  verdict();
}

function audioContext() {
  // Made on the first click: browsers let pages make sound only after one.
  if (!audio) audio = new AudioContext();
  if (audio.state === "suspended") audio.resume();
  return audio;
}

function stop() {
  if (!run) return;
  run.stopped = true;
  clearInterval(run.meterTimer);
  for (const track of run.stream?.getTracks() || []) track.stop();
  run.ws?.close();
  for (const pc of run.pcs) pc.close();
  preview.srcObject = null;
  run = null;
}

async function start() {
  stop();
  audioContext();
  run = { pcs: [], stopped: false };
  const current = run;
  $("start").disabled = true;
  for (const part of ["camera", "mic", "server", "relay"]) {
    show(part, "pending", part === "server" || part === "relay" ? text[`${part}_checking`] : text.starting);
  }
  try {
    await Promise.all([devices(current), network(current)]);
  } finally {
    $("start").disabled = false;
  }
}

// --- camera and microphone ---------------------------------------------------

async function media(constraints) {
  try {
    return { stream: await navigator.mediaDevices.getUserMedia(constraints) };
  } catch (error) {
    return { error };
  }
}

const refused = (error) => error && (error.name === "NotAllowedError" || error.name === "SecurityError");

async function devices(current) {
  let { stream, error } = await media({ audio: true, video: true });
  if (!stream && !refused(error)) {
    // One of the two is missing: take what there is.
    const sound = await media({ audio: true });
    if (sound.stream) stream = sound.stream;
    else {
      stream = (await media({ video: true })).stream;
      error = sound.error; // why there is no sound
    }
  }
  if (current.stopped) {
    for (const track of stream?.getTracks() || []) track.stop();
    return;
  }
  if (!stream) {
    const message = refused(error) ? text.denied : text.no_devices;
    show("camera", "fail", message);
    show("mic", "fail", refused(error) ? text.denied : text.mic_none);
    return;
  }
  current.stream = stream;
  if (stream.getVideoTracks().length) {
    preview.srcObject = stream;
    try {
      await preview.play();
      show("camera", "ok", text.camera_ok);
    } catch {
      show("camera", "fail", text.failed);
    }
  } else {
    show("camera", "warn", text.camera_none);
  }
  if (stream.getAudioTracks().length) {
    listen(current, stream);
  } else {
    show("mic", "fail", text.mic_none);
  }
}

function listen(current, stream) {
  const context = audioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const began = performance.now();
  let peak = 0;
  show("mic", "pending", text.mic_listening);
  current.meterTimer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    const level = Math.min(100, Math.round(Math.sqrt(sum / samples.length) * 300));
    meter.value = level;
    peak = Math.max(peak, level);
    root.dataset.micPeak = String(peak);
    if (level >= HEARD_LEVEL) {
      current.lastHeard = performance.now();
      show("mic", "ok", text.mic_ok);
    } else if (performance.now() - (current.lastHeard || began) > SILENCE_AFTER_MS) {
      show("mic", "warn", text.mic_silent);
    }
  }, 100);
}

// --- the speaker ------------------------------------------------------------------

function playTone() {
  try {
    const context = audioContext();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    const now = context.currentTime;
    oscillator.frequency.value = 660;
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.3, now + 0.05);
    gain.gain.setValueAtTime(0.3, now + 0.7);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.9);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(now);
    oscillator.stop(now + 0.95);
    heard.hidden = false;
    show("sound", "pending", text.sound_playing);
  } catch {
    show("sound", "fail", text.sound_failed);
  }
}

function answer(yes) {
  $("heard-yes").setAttribute("aria-pressed", String(yes));
  $("heard-no").setAttribute("aria-pressed", String(!yes));
  show("sound", yes ? "ok" : "fail", yes ? text.sound_yes : text.sound_no);
}

// --- the network ------------------------------------------------------------------

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timeout(promise, ms = TIMEOUT_MS) {
  return Promise.race([
    promise,
    new Promise((_resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms)),
  ]);
}

async function network(current) {
  let info;
  try {
    const response = await fetch(root.dataset.tokenUrl, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    info = await response.json();
  } catch {
    show("server", "fail", text.failed);
    show("relay", "fail", text.failed);
    return;
  }
  await Promise.all([checkServer(current, info), checkRelay(current, info)]);
}

function measured(part, ms) {
  times[part] = Math.max(1, Math.round(ms)); // "0 ms" reads as broken
  root.dataset[`${part}Ms`] = String(times[part]);
  show(part, "ok", fill(text[`${part}_ok`], { ms: times[part] }));
}

async function checkServer(current, info) {
  if (!info.signal_url || !info.token) {
    show("server", "skip", text.server_none);
    return;
  }
  try {
    const rtts = await timeout(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(info.signal_url);
        current.ws = ws;
        const rtts = [];
        let sent = 0;
        const ping = () => {
          sent = performance.now();
          ws.send(JSON.stringify({ type: "ping", id: `t${rtts.length}` }));
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: "join", token: info.token }));
        ws.onmessage = (event) => {
          const message = JSON.parse(event.data);
          if (message.type === "welcome") ping();
          else if (message.type === "pong" && message.id === `t${rtts.length}`) {
            rtts.push(performance.now() - sent);
            if (rtts.length < PINGS) ping();
            else resolve(rtts);
          } else if (message.type === "error") reject(new Error(message.code));
        };
        ws.onerror = () => reject(new Error("socket"));
        ws.onclose = () => reject(new Error("closed"));
      }),
    );
    current.ws.onclose = null;
    current.ws.close();
    if (!current.stopped) measured("server", median(rtts));
  } catch {
    current.ws?.close();
    if (!current.stopped) show("server", "fail", text.server_failed);
  }
}

const isTurn = (server) => [server.urls].flat().some((url) => /^turns?:/i.test(url));

async function checkRelay(current, info) {
  const turn = (info.ice_servers || []).filter(isTurn);
  if (!turn.length) {
    show("relay", "skip", text.relay_none);
    return;
  }
  // Two connections in this page that may only meet through the relay.
  const config = { iceServers: turn, iceTransportPolicy: "relay" };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  current.pcs.push(a, b);
  a.onicecandidate = (event) => event.candidate && b.addIceCandidate(event.candidate).catch(() => {});
  b.onicecandidate = (event) => event.candidate && a.addIceCandidate(event.candidate).catch(() => {});
  b.ondatachannel = (event) => {
    const echo = event.channel;
    echo.onmessage = (message) => echo.send(message.data);
  };
  const channel = a.createDataChannel("device-test");
  try {
    const opened = new Promise((resolve) => {
      channel.onopen = resolve;
    });
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    await timeout(opened);
    const rtts = [];
    for (let i = 0; i < PINGS; i++) {
      const back = new Promise((resolve) => {
        channel.onmessage = resolve;
      });
      const sent = performance.now();
      channel.send(`ping ${i}`);
      await timeout(back, 5000);
      rtts.push(performance.now() - sent);
    }
    if (!current.stopped) measured("relay", median(rtts));
  } catch {
    if (!current.stopped) show("relay", "fail", text.relay_failed);
  } finally {
    a.close();
    b.close();
  }
}

// --- the verdict ------------------------------------------------------------------

function verdict() {
  const parts = ["camera", "mic", "server", "relay"];
  if (parts.some((part) => !state[part] || state[part] === "pending")) return;
  const todo = [];
  if (state.camera !== "ok") todo.push(text.todo_camera);
  if (state.mic !== "ok") todo.push(text.todo_mic);
  if (state.server === "fail" || state.relay === "fail") todo.push(text.todo_network);
  else if (Object.values(times).some((ms) => ms > SLOW_MS)) todo.push(text.todo_slow);
  if (state.sound === "fail") todo.push(text.todo_sound);
  let kind;
  let lead;
  if (todo.length) {
    kind = "todo";
    lead = text.verdict_todo;
  } else if (state.sound !== "ok") {
    kind = "wait";
    lead = text.verdict_wait;
  } else {
    kind = "ok";
    lead = text.verdict_ok;
  }
  if (verdictBox.dataset.kind === kind && verdictBox.dataset.todo === todo.join("|")) return;
  verdictBox.dataset.kind = kind;
  verdictBox.dataset.todo = todo.join("|");
  const paragraph = document.createElement("p");
  paragraph.textContent = lead;
  const nodes = [paragraph];
  if (todo.length) {
    const list = document.createElement("ul");
    for (const item of todo) {
      const li = document.createElement("li");
      li.textContent = item;
      list.append(li);
    }
    nodes.push(list);
  }
  verdictBox.replaceChildren(...nodes);
}

$("start").addEventListener("click", start);
$("play").addEventListener("click", playTone);
$("heard-yes").addEventListener("click", () => answer(true));
$("heard-no").addEventListener("click", () => answer(false));
window.addEventListener("pagehide", stop);
