// @ts-check
import { api, errorText, field, list, num, str, toBase64 } from './api.js';
import { byId, byIdAs, el, formatMs } from './dom.js';
import { captureJpeg, startWebcam, stopWebcam } from './webcam.js';

const MAX_FRAMES = 12;
const MAX_ROWS = 50;

/**
 * @typedef {{ figure: HTMLElement, stage: HTMLElement, image: HTMLImageElement, caption: HTMLElement,
 *   row: HTMLTableRowElement, url: string }} Frame
 */

/** @type {Map<string, Frame>} */
const frames = new Map();
let since = 0;

/** @param {string} text */
function status(text) {
  byId('recognise-status').textContent = text;
}

/**
 * @param {Blob} blob
 * @param {string} filename
 */
export async function sendFrame(blob, filename) {
  const url = URL.createObjectURL(blob);
  const image = el('img', { alt: `Frame ${filename}` });
  image.src = url;
  const stage = el('div', { class: 'stage' }, [image]);
  const caption = el('figcaption', {}, [el('strong', { text: filename }), el('span', { text: ' sending…' })]);
  const figure = el('figure', { class: 'frame pending', 'aria-busy': 'true' }, [stage, caption]);
  const container = byId('frames');
  container.prepend(figure);
  const sent = new Date();
  const row = el('tr', { class: 'pending' }, [
    el('td', { text: sent.toLocaleTimeString() }),
    el('td', { class: 'mono', text: '…' }),
    el('td', { text: filename }),
    el('td', { text: 'sending' }),
    el('td', { text: '–' }),
  ]);
  byId('recent').prepend(row);
  trim();

  const answer = await api('/api/frames', {
    method: 'POST',
    json: { content: await toBase64(blob), filename },
  });
  const requestId = str(answer.body, 'request_id');
  if (!answer.ok || requestId === undefined) {
    const message = errorText(answer);
    figure.classList.replace('pending', 'failed');
    figure.removeAttribute('aria-busy');
    caption.replaceChildren(
      el('strong', { text: filename }),
      el('span', { class: 'error', text: ` rejected: ${message}` }),
    );
    cell(row, 3).textContent = `rejected: ${message}`;
    row.className = 'failed';
    status(`${filename} was rejected: ${message}`);
    return;
  }
  cell(row, 1).textContent = requestId;
  cell(row, 3).textContent = 'waiting';
  caption.replaceChildren(
    el('strong', { text: filename }),
    el('span', { text: ` waiting for ${requestId}…` }),
  );
  figure.dataset.requestId = requestId;
  frames.set(requestId, { figure, stage, image, caption, row, url });
}

/**
 * @param {HTMLTableRowElement} row
 * @param {number} index
 * @returns {HTMLElement}
 */
function cell(row, index) {
  const td = row.cells.item(index);
  if (!td) throw new Error('result row is missing a cell');
  return td;
}

function trim() {
  const container = byId('frames');
  while (container.children.length > MAX_FRAMES) {
    const last = container.lastElementChild;
    if (!(last instanceof HTMLElement)) break;
    const id = last.dataset.requestId;
    const frame = id === undefined ? undefined : frames.get(id);
    if (frame) URL.revokeObjectURL(frame.url);
    if (id !== undefined) frames.delete(id);
    last.remove();
  }
  const rows = byId('recent');
  while (rows.children.length > MAX_ROWS) rows.lastElementChild?.remove();
}

/**
 * Draws one collected result onto its frame: a box per face with the name (or `unknown`) and similarity,
 * and the timing breakdown in the caption.
 * @param {unknown} result
 */
function show(result) {
  const requestId = str(result, 'request_id');
  if (requestId === undefined) return;
  const frame = frames.get(requestId);
  if (!frame) return;
  const { figure, stage, image, caption, row } = frame;
  figure.classList.remove('pending');
  figure.removeAttribute('aria-busy');
  const roundTrip = num(result, 'round_trip_ms');
  const error = str(result, 'error');
  const message = field(result, 'message');
  if (error !== undefined || message === undefined) {
    figure.classList.add('failed');
    const text = error ?? 'no result';
    caption.replaceChildren(
      el('strong', { text: str(result, 'filename') ?? '' }),
      el('span', { class: 'error', text: ` ${text}` }),
    );
    cell(row, 3).textContent = text;
    row.className = 'failed';
    return;
  }
  const answer = str(message, 'result') ?? '';
  const faces = list(message, 'faces');
  const draw = () => drawBoxes(stage, image, faces);
  if (image.complete && image.naturalWidth > 0) draw();
  else image.addEventListener('load', draw, { once: true });

  const timing = field(message, 'timing');
  const items = faces.map((face, i) => {
    const name = str(face, 'name') ?? '?';
    const similarity = num(face, 'similarity');
    return el('li', {
      text: `face ${i + 1}: ${name}${similarity === undefined ? '' : ` (similarity ${similarity.toFixed(2)})`}`,
    });
  });
  caption.replaceChildren(
    el('strong', { text: str(result, 'filename') ?? '' }),
    el('span', { class: 'result', text: ` → ${answer}` }),
    el('ul', { class: 'faces' }, items),
    el('p', {
      class: 'timing',
      text: `detector ${formatMs(num(timing, 'detector_ms'))} · queue ${formatMs(num(timing, 'queue_ms'))} · recognizer ${formatMs(num(timing, 'recognizer_ms'))} · round trip ${formatMs(roundTrip)}`,
    }),
    el('p', { class: 'mono', text: requestId }),
  );
  figure.classList.add(answer === 'unknown' || answer === 'no_face' ? 'stranger' : 'known');
  cell(row, 3).textContent = answer;
  cell(row, 4).textContent = formatMs(roundTrip);
  row.className = '';
  status(`${str(result, 'filename') ?? requestId}: ${answer}`);
}

/**
 * @param {HTMLElement} stage
 * @param {HTMLImageElement} image
 * @param {unknown[]} faces
 */
function drawBoxes(stage, image, faces) {
  for (const old of stage.querySelectorAll('.box')) old.remove();
  const w = image.naturalWidth;
  const h = image.naturalHeight;
  for (const face of faces) {
    const box = field(face, 'box');
    if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number')) continue;
    const [x1, y1, x2, y2] = /** @type {number[]} */ (box);
    const name = str(face, 'name') ?? '?';
    const similarity = num(face, 'similarity');
    const label = el('span', { class: 'label' }, [
      el('span', { class: 'name', text: name }),
      el('span', { class: 'similarity', text: similarity === undefined ? '' : ` ${similarity.toFixed(2)}` }),
    ]);
    const node = el(
      'div',
      { class: name === 'unknown' ? 'box unknown' : 'box known', role: 'img', 'aria-label': `${name} face` },
      [label],
    );
    node.style.left = `${(100 * (x1 ?? 0)) / w}%`;
    node.style.top = `${(100 * (y1 ?? 0)) / h}%`;
    node.style.width = `${(100 * ((x2 ?? 0) - (x1 ?? 0))) / w}%`;
    node.style.height = `${(100 * ((y2 ?? 0) - (y1 ?? 0))) / h}%`;
    stage.append(node);
  }
}

async function pollResults() {
  for (;;) {
    const answer = await api(`/api/results?since=${since}&wait=10`);
    if (!answer.ok) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      continue;
    }
    for (const result of list(answer.body, 'results')) {
      since = Math.max(since, num(result, 'seq') ?? since);
      show(result);
    }
  }
}

/** @param {FileList | null | undefined} files */
async function sendFiles(files) {
  for (const file of Array.from(files ?? [])) {
    if (!file.type.startsWith('image/')) {
      status(`${file.name} is not an image`);
      continue;
    }
    await sendFrame(file, file.name);
  }
}

export function setupRecognise() {
  const input = byIdAs('frame-files', HTMLInputElement);
  input.addEventListener('change', () => {
    void sendFiles(input.files).finally(() => {
      input.value = '';
    });
  });
  const drop = byId('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    void sendFiles(event.dataTransfer?.files);
  });

  const toggle = byIdAs('webcam-toggle', HTMLButtonElement);
  const video = byIdAs('webcam-video', HTMLVideoElement);
  const interval = byIdAs('interval', HTMLInputElement);
  /** @type {MediaStream | undefined} */
  let stream;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let count = 0;
  const tick = async () => {
    if (!stream) return;
    try {
      count += 1;
      await sendFrame(await captureJpeg(video), `webcam-${count}.jpg`);
    } catch (error) {
      status(`webcam: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (stream) timer = setTimeout(tick, Math.max(1, Number(interval.value) || 3) * 1000);
  };
  toggle.addEventListener('click', async () => {
    if (stream) {
      clearTimeout(timer);
      stopWebcam(video, stream);
      stream = undefined;
      toggle.textContent = 'Start webcam';
      toggle.setAttribute('aria-pressed', 'false');
      status('webcam stopped');
      return;
    }
    try {
      stream = await startWebcam(video);
      toggle.textContent = 'Stop webcam';
      toggle.setAttribute('aria-pressed', 'true');
      status(`webcam on: a frame every ${interval.value} s`);
      void tick();
    } catch (error) {
      status(`webcam: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  void pollResults();
}
