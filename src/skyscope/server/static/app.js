// The skyscope page: log in with a key, then engine, queue, history, live image and catalog,
// all through the public API (the same keys and scopes as any client), pushed over websockets.

import { api, apiKey, blobUrl, setApiKey, socket } from "./api.js";
import { buildPlanForm, fillPlanForm, readPlanForm, richText } from "./form.js";
import { LiveView } from "./live.js";

const $ = (id) => document.getElementById(id);
const state = {
  status: {}, plans: {}, devices: [], deviceInfo: {}, docSeq: 0, run: null, queue: [], fields: [],
  editing: null,
};
window.skyscopeState = state; // read by the browser tests

function show(id, text, isError = false) {
  const element = $(id);
  element.textContent = text;
  element.classList.toggle("error", isError);
}

async function attempt(id, action) {
  show(id, "");
  try {
    await action();
  } catch (error) {
    show(id, error.message, true);
  }
}

// --- log in ----------------------------------------------------------------------------------

async function logIn(key) {
  setApiKey(key);
  try {
    const me = await api("/api/auth/whoami");
    $("who").textContent = `${me.identity} (${me.role})`;
  } catch (error) {
    setApiKey(null);
    show("login-error", `Cannot log in: ${error.message}`, true);
    return;
  }
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  await Promise.all([loadPlans(), loadQueue(), loadHistory()]);
  connectStatus();
  live.connect($("live-format").value);
  await search();
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  logIn($("key").value.trim());
});

$("logout").addEventListener("click", () => {
  setApiKey(null);
  location.reload();
});

// --- status and documents (one socket, resumed from the last document seen) --------------------

let statusSocket = null;

function connectStatus() {
  const ws = socket("/api/live/documents/ws", { status: 1, since: state.docSeq });
  statusSocket = ws;
  ws.onopen = () => {
    $("connection").textContent = "online";
    $("connection").classList.add("online");
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "status") onStatus(message.status);
    else if (message.type === "document") onDocument(message);
    else if (message.type === "gap") state.docSeq = message.oldest - 1;
  };
  ws.onclose = () => {
    $("connection").textContent = "offline";
    $("connection").classList.remove("online");
    if (statusSocket === ws && apiKey()) setTimeout(connectStatus, 1000);
  };
}

const statusWaiters = new Set();

// Resolve once a pushed status satisfies ``predicate`` (reject after ``ms``).
function untilStatus(predicate, ms = 10000) {
  if (predicate(state.status)) return Promise.resolve(state.status);
  return new Promise((resolve, reject) => {
    const waiter = { predicate, resolve };
    statusWaiters.add(waiter);
    setTimeout(() => {
      if (statusWaiters.delete(waiter)) reject(new Error("the server did not get there in time"));
    }, ms);
  });
}

function onStatus(status) {
  const before = state.status;
  state.status = status;
  for (const waiter of [...statusWaiters]) {
    if (waiter.predicate(status)) {
      statusWaiters.delete(waiter);
      waiter.resolve(status);
    }
  }
  $("manager-state").textContent = status.manager_state;
  $("re-state").textContent = status.re_state ?? "closed";
  const re = status.re_state;
  $("pause").disabled = $("pause-now").disabled = re !== "running";
  for (const id of ["resume", "stop", "abort"]) $(id).disabled = re !== "paused";
  if (before.plan_queue_uid !== status.plan_queue_uid || before.running_item_uid !== status.running_item_uid) {
    loadQueue();
  }
  showProgress();
  if (before.plan_history_uid !== status.plan_history_uid) loadHistory();
  if (before.plans_allowed_uid !== status.plans_allowed_uid && before.plans_allowed_uid) loadPlans();
}

// Progress as the shell shows it: frames of the primary stream done of the start document's
// total, an ETA at the pace so far, and how late the last frame started on the MDA's schedule.
function onDocument({ seq, name, doc }) {
  state.docSeq = seq;
  if (name === "start") {
    const total = doc.num_points ?? (doc.num_intervals != null ? doc.num_intervals + 1 : null);
    state.run = {
      uid: doc.uid, item: doc.queue_item_uid, plan: doc.plan_name, total, done: 0,
      began: performance.now(), primary: new Set(), lateness: null,
    };
  } else if (name === "descriptor" && state.run && doc.name === "primary") {
    state.run.primary.add(doc.uid);
  } else if (name === "event" && state.run && state.run.primary.has(doc.descriptor)) {
    state.run.done++;
    const lateness = doc.data && doc.data.lateness_s;
    if (typeof lateness === "number") state.run.lateness = lateness;
  } else if (name === "stop" && state.run && state.run.uid === doc.run_start) {
    state.run.exit = doc.exit_status;
    search();
  }
  showProgress();
}

function showProgress() {
  const run = state.run;
  const running = state.status.running_item_uid;
  if (!run || (running && run.item && run.item !== running)) {
    // nothing yet, or the last item's run while another item (a live view: no run) goes on
    $("progress").value = 0;
    $("progress-text").textContent = "–";
    return;
  }
  const { done, total } = run;
  $("progress").max = total || 1;
  $("progress").value = total ? done : 0;
  let text = total ? `${done} / ${total}` : `${done}`;
  if (run.exit) text += ` — ${run.exit}`;
  else if (total && done) {
    const perItem = (performance.now() - run.began) / done;
    text += `, ETA ${Math.max(0, ((total - done) * perItem) / 1000).toFixed(1)} s`;
  }
  if (run.lateness !== null) text += `, ${run.lateness.toFixed(2)} s late`;
  $("progress-text").textContent = text;
  $("progress-text").classList.toggle("late", run.lateness !== null && run.lateness > 0.5);
}

// --- engine control --------------------------------------------------------------------------

for (const button of document.querySelectorAll("[data-re]")) {
  button.addEventListener("click", () => attempt("engine-msg", async () => {
    const action = button.dataset.re;
    if (action === "pause-immediate") await api("/api/re/pause", { method: "POST", body: { option: "immediate" } });
    else if (action === "pause") await api("/api/re/pause", { method: "POST", body: { option: "deferred" } });
    else await api(`/api/re/${action}`, { method: "POST", body: {} });
  }));
}

$("queue-start").addEventListener("click", () =>
  attempt("plan-error", () => api("/api/queue/start", { method: "POST", body: {} })));
$("queue-stop").addEventListener("click", () =>
  attempt("plan-error", () => api("/api/queue/stop", { method: "POST", body: {} })));

// --- the queue and the plan form -------------------------------------------------------------

function describeItem(item) {
  const args = (item.args || []).map((a) => JSON.stringify(a));
  const kwargs = Object.entries(item.kwargs || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${item.name}(${[...args, ...kwargs].join(", ")})`;
}

async function loadQueue() {
  const answer = await api("/api/queue/get");
  state.queue = answer.items;
  const running = answer.running_item && Object.keys(answer.running_item).length ? answer.running_item : null;
  $("current-plan").textContent = running ? describeItem(running) : "–";
  const list = $("queue-items");
  list.replaceChildren();
  answer.items.forEach((item, position) => {
    const li = document.createElement("li");
    li.dataset.uid = item.item_uid;
    li.append(item.item_type === "instruction" ? item.name : describeItem(item), " ");
    const move = (label, title, where) => {
      const button = document.createElement("button");
      button.textContent = label;
      button.title = title;
      button.disabled = !where;
      button.addEventListener("click", () => attempt("plan-error", () =>
        api("/api/queue/item/move", { method: "POST", body: { uid: item.item_uid, ...where } })));
      li.append(button);
    };
    const before = answer.items[position - 1], after = answer.items[position + 1];
    move("↑", "Move up", before && { before_uid: before.item_uid });
    move("↓", "Move down", after && { after_uid: after.item_uid });
    if (item.item_type === "plan") {
      const edit = document.createElement("button");
      edit.textContent = "✎";
      edit.title = "Edit";
      edit.className = "edit";
      edit.addEventListener("click", () => editItem(item));
      li.append(edit);
    }
    const remove = document.createElement("button");
    remove.textContent = "✕";
    remove.title = "Remove";
    remove.className = "remove";
    remove.addEventListener("click", () => attempt("plan-error", () =>
      api("/api/queue/item/remove", { method: "POST", body: { uid: item.item_uid } })));
    li.append(remove);
    list.append(li);
  });
}

async function loadHistory() {
  const answer = await api("/api/history/get");
  const list = $("history-items");
  list.replaceChildren();
  for (const item of [...answer.items].reverse()) {
    const li = document.createElement("li");
    const result = item.result || {};
    const status = document.createElement("span");
    status.className = `status-${result.exit_status}`;
    status.textContent = result.exit_status || "?";
    li.append(describeItem(item), " — ", status);
    for (const uid of result.run_uids || []) {
      const link = document.createElement("a");
      link.href = "#";
      link.textContent = ` run ${uid.slice(0, 8)}`;
      link.addEventListener("click", (event) => { event.preventDefault(); openRun(uid); });
      li.append(link);
    }
    if (result.msg) li.append(` ${result.msg}`);
    list.append(li);
  }
}

async function loadPlans() {
  const [plans, devices] = await Promise.all([api("/api/plans/allowed"), api("/api/devices/allowed")]);
  state.plans = plans.plans_allowed;
  state.deviceInfo = devices.devices_allowed;
  state.devices = Object.keys(devices.devices_allowed);
  const select = $("plan-name");
  const chosen = select.value;
  select.replaceChildren(...Object.keys(state.plans).sort().map((name) => new Option(name, name)));
  if (chosen in state.plans) select.value = chosen;
  buildForm();
}

// One control per parameter the plan describes (callables and **kwargs cannot be given here).
function buildForm() {
  const plan = state.plans[$("plan-name").value];
  $("plan-description").replaceChildren(richText(plan ? plan.description || "" : ""));
  state.fields = buildPlanForm($("plan-params"), plan, state.deviceInfo);
}

$("plan-name").addEventListener("change", buildForm);

function formItem() {
  return { item_type: "plan", name: $("plan-name").value, ...readPlanForm(state.fields) };
}

// Editing a queued item: the form shows it, and the button replaces it in the queue.
function editItem(item) {
  state.editing = item.item_uid;
  $("plan-name").value = item.name;
  buildForm();
  fillPlanForm(state.fields, item);
  $("add-plan").textContent = "Update item";
  $("cancel-edit").hidden = false;
  show("plan-error", "");
}

function stopEditing() {
  state.editing = null;
  $("add-plan").textContent = "Add to queue";
  $("cancel-edit").hidden = true;
}

$("cancel-edit").addEventListener("click", () => { stopEditing(); buildForm(); });

$("plan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  attempt("plan-error", async () => {
    const item = formItem();
    if (state.editing) {
      await api("/api/queue/item/update", { method: "POST", body: { item: { ...item, item_uid: state.editing } } });
      stopEditing();
    } else {
      await api("/api/queue/item/add", { method: "POST", body: { item } });
    }
  });
});

// --- live view -------------------------------------------------------------------------------

const live = new LiveView({
  canvas: $("live-canvas"),
  viewport: $("viewport"),
  histogram: $("histogram"),
  fps: $("fps"),
  latency: $("latency"),
  info: $("frame-info"),
  controls: {
    mode: $("contrast-mode"), min: $("contrast-min"), max: $("contrast-max"),
    colour: $("channel-colour"), zoom: $("zoom"),
  },
  onMove: (dx, dy) => attempt("engine-msg", async () => {
    const moved = await api("/api/live/move_by", { method: "POST", body: { dx_um: dx, dy_um: dy } });
    show("engine-msg", `stage at x=${moved.position.x.toFixed(1)} y=${moved.position.y.toFixed(1)} µm`);
  }),
});

$("live-format").addEventListener("change", () => live.connect($("live-format").value));

function liveCamera() {
  return state.devices.includes("camera") ? "camera" : state.devices.find((d) => d.includes("camera"));
}

$("live-start").addEventListener("click", () => attempt("engine-msg", () => api(
  "/api/queue/item/execute",
  { method: "POST", body: { item: { item_type: "plan", name: "live_view", args: [liveCamera()] } } },
)));

$("live-stop").addEventListener("click", () => attempt("engine-msg", async () => {
  await api("/api/re/pause", { method: "POST", body: { option: "immediate" } });
  await untilStatus((status) => status.manager_state === "paused");
  await api("/api/re/stop", { method: "POST", body: {} });
}));

// --- catalog ---------------------------------------------------------------------------------

async function search() {
  await attempt("search-error", async () => {
    const params = {};
    if ($("search-text").value.trim()) params.text = $("search-text").value.trim();
    if ($("search-key").value.trim()) params[`meta.${$("search-key").value.trim()}`] = $("search-value").value;
    const answer = await api("/api/catalog/search", { params: { ...params, limit: 24 } });
    const list = $("runs");
    list.replaceChildren();
    for (const run of answer.runs) {
      const li = document.createElement("li");
      li.dataset.uid = run.uid;
      const when = run.time ? new Date(run.time * 1000).toLocaleTimeString() : "";
      const image = document.createElement("img");
      image.alt = "";
      li.append(image, `#${run.scan_id ?? "?"} ${run.plan_name ?? ""} `, status(run.status), ` ${when}`);
      li.addEventListener("click", () => openRun(run.uid));
      list.append(li);
      const [stream, keys] = Object.entries(run.images)[0] || [];
      if (stream) {
        blobUrl(framePath(run.uid, stream, keys[0], 0), { size: 128 })
          .then((url) => { image.src = url; })
          .catch(() => { image.alt = "no frame"; });
      }
    }
  });
}

function status(text) {
  const span = document.createElement("span");
  span.className = `status-${text}`;
  span.textContent = text;
  return span;
}

function framePath(uid, stream, key, index) {
  return `/api/catalog/runs/${uid}/streams/${encodeURIComponent(stream)}/frames/${encodeURIComponent(key)}/${index}`;
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  search();
});

async function openRun(uid) {
  await attempt("search-error", async () => {
    const run = await api(`/api/catalog/runs/${uid}`);
    $("run-view").hidden = false;
    $("run-view").dataset.uid = run.uid;
    $("run-title").textContent = `Run #${run.scan_id} ${run.plan_name} (${run.status}) ${run.uid}`;
    $("run-metadata").textContent = JSON.stringify({ start: run.start, stop: run.stop }, null, 1);
    const choices = [];
    for (const [stream, about] of Object.entries(run.streams)) {
      for (const [key, dataKey] of Object.entries(about.data_keys)) {
        if (dataKey.external || (dataKey.shape || []).length >= 2) choices.push({ stream, key, length: about.length });
      }
    }
    state.runChoices = choices;
    $("run-key").replaceChildren(...choices.map((c, i) => new Option(`${c.stream}: ${c.key}`, i)));
    await showRunFrame(0);
  });
}

async function showRunFrame(index) {
  const choice = (state.runChoices || [])[Number($("run-key").value || 0)];
  if (!choice) {
    $("run-frame").removeAttribute("src");
    $("run-index-text").textContent = "no images";
    return;
  }
  $("run-index").max = Math.max(0, choice.length - 1);
  $("run-index").value = index;
  $("run-index-text").textContent = `${index + 1} / ${choice.length}`;
  const url = await blobUrl(framePath($("run-view").dataset.uid, choice.stream, choice.key, index));
  const image = $("run-frame");
  if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
  image.src = url;
}

$("run-key").addEventListener("change", () => attempt("search-error", () => showRunFrame(0)));
$("run-index").addEventListener("input", () =>
  attempt("search-error", () => showRunFrame(Number($("run-index").value))));

// --- start -----------------------------------------------------------------------------------

if (apiKey()) logIn(apiKey());
