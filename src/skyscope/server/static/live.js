// The live image: frames from /api/live/frames/ws painted on a canvas, newest first.
// 16-bit frames go through a lookup table (contrast, channel colour) into RGBA; one frame is
// painted per animation frame, a frame replaced before its paint is skipped, and every frame
// received is acknowledged so the server may send the next (its credit-based backpressure).
// The page asks for what it can show: fitted, the whole frame binned to the canvas's width in
// device pixels; zoomed, the visible region at full resolution (the canvas is then the frame's
// size, and each frame's region is painted where it belongs).

import { socket, unpackFrame } from "./api.js";

const HISTOGRAM_BINS = 256;
const SAMPLE_TARGET = 65536; // pixels looked at for auto-contrast and the histogram

export const stats = {
  received: 0, painted: 0, fps: 0, latencies: [], lastSeq: 0, header: null, paintMs: 0,
};
window.skyscopeLive = stats; // read by the browser tests and the benchmark

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Auto-contrast limits (0.1 and 99.9 percentiles) and a histogram, from a subsample.
function analyse(pixels) {
  const step = Math.max(1, Math.floor(pixels.length / SAMPLE_TARGET));
  let min = 65535, max = 0;
  for (let i = 0; i < pixels.length; i += step) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = Math.max(1, max - min + 1);
  const bins = new Uint32Array(HISTOGRAM_BINS);
  let count = 0;
  for (let i = 0; i < pixels.length; i += step) {
    bins[Math.min(HISTOGRAM_BINS - 1, Math.floor(((pixels[i] - min) * HISTOGRAM_BINS) / span))]++;
    count++;
  }
  const edge = (fraction) => {
    let seen = 0;
    for (let b = 0; b < HISTOGRAM_BINS; b++) {
      seen += bins[b];
      if (seen >= fraction * count) return min + (b * span) / HISTOGRAM_BINS;
    }
    return max;
  };
  const lo = edge(0.001), hi = Math.max(edge(0.999), lo + 1);
  return { bins, min, max, lo, hi };
}

export class LiveView {
  constructor({ canvas, viewport, histogram, fps, latency, info, controls, onMove }) {
    Object.assign(this, { canvas, viewport, histogram, fpsText: fps, latencyText: latency, info });
    this.controls = controls;
    this.onMove = onMove;
    this.context = canvas.getContext("2d");
    this.pending = null;
    this.scheduled = false;
    this.paintTimes = [];
    this.lut = new Uint32Array(65536);
    this.lutKey = "";
    this.image = null;
    this.ws = null;
    this.wanted = false;
    this.sentView = "";
    this.frameShape = null;
    canvas.addEventListener("click", (event) => this.click(event));
    controls.zoom.addEventListener("change", () => this.applyZoom());
    viewport.addEventListener("scroll", () => this.viewChanged());
    window.addEventListener("resize", () => this.viewChanged());
    this.applyZoom();
  }

  zoom() {
    const zoom = this.controls.zoom.value;
    return zoom === "fit" ? null : Number(zoom);
  }

  // What this page can show now: {max: [w, h]} fitted, {roi: [x, y, w, h]} zoomed.
  wantedView() {
    const zoom = this.zoom();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, this.viewport.clientWidth), height = Math.max(1, this.viewport.clientHeight);
    if (zoom === null || !this.frameShape) {
      const side = Math.max(1, Math.round(width * ratio));
      return { max: [side, Math.max(side, Math.round(window.innerHeight * ratio))] };
    }
    const [frameHeight, frameWidth] = this.frameShape;
    const x = Math.min(frameWidth - 1, Math.floor(this.viewport.scrollLeft / zoom));
    const y = Math.min(frameHeight - 1, Math.floor(this.viewport.scrollTop / zoom));
    const w = Math.min(frameWidth - x, Math.ceil(width / zoom) + 1);
    const h = Math.min(frameHeight - y, Math.ceil(height / zoom) + 1);
    return { roi: [x, y, Math.max(1, w), Math.max(1, h)] };
  }

  // Tell the server (once per animation frame at most) when what the page shows has changed.
  viewChanged() {
    if (this.viewScheduled) return;
    this.viewScheduled = true;
    requestAnimationFrame(() => {
      this.viewScheduled = false;
      const view = JSON.stringify({ view: this.wantedView() });
      if (view === this.sentView || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      this.sentView = view;
      this.ws.send(view);
    });
  }

  connect(format = "raw") {
    this.wanted = true;
    this.format = format;
    this.disconnect(true);
    const view = this.wantedView();
    const params = { format, window: 2 };
    if (view.max) params.max = view.max.join(",");
    if (view.roi) params.roi = view.roi.join(",");
    const ws = socket("/api/live/frames/ws", params);
    this.sentView = JSON.stringify({ view });
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.viewChanged(); // (the view may have changed while connecting)
    ws.onmessage = (event) => this.receive(ws, event.data);
    ws.onclose = () => {
      if (this.ws === ws && this.wanted) setTimeout(() => this.wanted && this.connect(this.format), 1000);
    };
    this.ws = ws;
  }

  disconnect(keepWanted = false) {
    if (!keepWanted) this.wanted = false;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close();
    }
  }

  receive(ws, data) {
    if (typeof data === "string") return; // hello (or an error, then the server closes)
    stats.received++;
    if (this.pending) this.ack(this.pending.ws); // replaced before its paint: skipped
    this.pending = { ws, data };
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.paint());
    }
  }

  ack(ws) {
    if (ws.readyState === WebSocket.OPEN) ws.send("ack");
  }

  async paint() {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    const began = performance.now();
    const { header, offset } = unpackFrame(pending.data);
    const [height, width] = header.shape.slice(-2);
    const frameShape = (header.frame_shape || header.shape).slice(-2);
    const roi = header.roi || [0, 0, width, height];
    const binning = header.binning || 1;
    if (String(frameShape) !== String(this.frameShape)) {
      this.frameShape = frameShape;
      this.viewChanged();
    }
    // fitted: the canvas is what was sent; zoomed: the whole frame, each region in its place
    const zoomed = this.zoom() !== null;
    const [canvasHeight, canvasWidth] = zoomed ? frameShape : [height, width];
    if (this.canvas.width !== canvasWidth || this.canvas.height !== canvasHeight) {
      this.canvas.width = canvasWidth;
      this.canvas.height = canvasHeight;
      this.applyZoom();
    }
    this.mapping = zoomed ? { x: 0, y: 0, scale: 1 } : { x: roi[0], y: roi[1], scale: binning };
    const place = zoomed ? roi : [0, 0, width, height];
    if (header.encoding === "raw") await this.paintRaw(header, pending.data, offset, width, height, place);
    else await this.paintLossy(header, pending.data, offset, place);
    this.ack(pending.ws);
    stats.paintMs = performance.now() - began;
    this.painted(header);
  }

  async paintRaw(header, buffer, offset, width, height, [x, y, w, h]) {
    const pixels = header.dtype === "uint8"
      ? new Uint8Array(buffer, offset, width * height)
      : new Uint16Array(buffer, offset, width * height);
    const found = analyse(pixels);
    let [lo, hi] = this.steadyLimits(found.lo, found.hi);
    if (this.controls.mode.value === "manual") {
      lo = Number(this.controls.min.value);
      hi = Math.max(lo + 1, Number(this.controls.max.value));
    } else {
      this.controls.min.value = Math.round(lo);
      this.controls.max.value = Math.round(hi);
    }
    this.updateLut(lo, hi, this.colourOf(header.channel));
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = this.context.createImageData(width, height);
    }
    const out = new Uint32Array(this.image.data.buffer);
    const lut = this.lut;
    for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]];
    if (w === width && h === height) this.context.putImageData(this.image, x, y);
    else await this.drawScaled(await createImageBitmap(this.image), [x, y, w, h]);
    this.drawHistogram(found, lo, hi);
  }

  // Auto-contrast limits that move only when the data moves them by more than 1% of the range:
  // no flicker from noise, and the 64k-entry lookup table is not rebuilt for every frame.
  steadyLimits(lo, hi) {
    const last = this.autoLimits;
    const slack = last ? (last[1] - last[0]) * 0.01 : 0;
    if (!last || Math.abs(lo - last[0]) > slack || Math.abs(hi - last[1]) > slack) {
      this.autoLimits = [lo, hi];
    }
    return this.autoLimits;
  }

  async paintLossy(header, buffer, offset, place) {
    const blob = new Blob([new Uint8Array(buffer, offset)], { type: `image/${header.encoding}` });
    await this.drawScaled(await createImageBitmap(blob), place);
  }

  // A binned region drawn over its full-resolution place (a zoomed page, before its view applies).
  drawScaled(bitmap, [x, y, w, h]) {
    this.context.imageSmoothingEnabled = false;
    this.context.drawImage(bitmap, x, y, w, h);
    bitmap.close();
  }

  colourOf(channel) {
    this.colours = this.colours || {};
    if (this.controls.colour.dataset.channel !== channel) {
      this.controls.colour.value = this.colours[channel] || "#ffffff";
      this.controls.colour.dataset.channel = channel;
    }
    this.colours[channel] = this.controls.colour.value;
    return this.controls.colour.value;
  }

  updateLut(lo, hi, colour) {
    const key = `${lo}:${hi}:${colour}`;
    if (key === this.lutKey) return;
    this.lutKey = key;
    const [r, g, b] = rgb(colour);
    const scale = 1 / (hi - lo);
    for (let v = 0; v < 65536; v++) {
      const t = Math.min(1, Math.max(0, (v - lo) * scale));
      // little-endian RGBA in one uint32: alpha in the high byte
      this.lut[v] = (255 << 24) | (Math.round(b * t) << 16) | (Math.round(g * t) << 8) | Math.round(r * t);
    }
  }

  drawHistogram({ bins, min, max }, lo, hi) {
    const ctx = this.histogram.getContext("2d");
    const { width, height } = this.histogram;
    ctx.clearRect(0, 0, width, height);
    let peak = 1;
    for (const n of bins) peak = Math.max(peak, n);
    ctx.fillStyle = "#8ac";
    for (let b = 0; b < bins.length; b++) {
      const h = (Math.log1p(bins[b]) / Math.log1p(peak)) * height;
      ctx.fillRect((b * width) / bins.length, height - h, width / bins.length, h);
    }
    const span = Math.max(1, max - min);
    ctx.fillStyle = "#fc6";
    for (const edge of [lo, hi]) ctx.fillRect(((edge - min) / span) * width, 0, 1, height);
  }

  painted(header) {
    const now = performance.now();
    stats.painted++;
    stats.lastSeq = header.seq;
    stats.header = header;
    const latency = Date.now() / 1000 - header.timestamp;
    stats.latencies.push(latency);
    if (stats.latencies.length > 2000) stats.latencies.shift();
    this.paintTimes.push(now);
    while (this.paintTimes.length && this.paintTimes[0] < now - 1000) this.paintTimes.shift();
    stats.fps = this.paintTimes.length;
    this.fpsText.textContent = `${stats.fps} fps`;
    this.latencyText.textContent = `${Math.round(latency * 1000)} ms`;
    const full = (header.frame_shape || header.shape).join("×");
    const sent = header.binning > 1 ? ` (binned ${header.binning}×${header.binning})` : "";
    this.info.textContent = `#${header.seq} ${full}${sent} ${header.channel || ""}`;
    this.header = header;
  }

  applyZoom() {
    const zoom = this.zoom();
    this.viewport.classList.toggle("fit", zoom === null);
    this.canvas.style.width = zoom === null ? "" : `${this.canvas.width * zoom}px`;
    this.viewChanged();
  }

  // A click moves the stage by the click's offset from the frame's centre (pixel size from the frame).
  click(event) {
    const header = this.header;
    if (!header || !header.pixel_size_um || !this.mapping || !this.frameShape) return;
    const rect = this.canvas.getBoundingClientRect();
    const { x: originX, y: originY, scale } = this.mapping;
    const x = originX + (((event.clientX - rect.left) * this.canvas.width) / rect.width) * scale;
    const y = originY + (((event.clientY - rect.top) * this.canvas.height) / rect.height) * scale;
    const [frameHeight, frameWidth] = this.frameShape;
    const dx = (x - frameWidth / 2) * header.pixel_size_um;
    const dy = (y - frameHeight / 2) * header.pixel_size_um;
    this.onMove(Math.round(dx * 100) / 100, Math.round(dy * 100) / 100);
  }
}
