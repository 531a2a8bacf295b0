// @ts-check
import { api, errorText, list, num, str, toBase64 } from './api.js';
import { byId, byIdAs, el } from './dom.js';
import { captureJpeg, startWebcam, stopWebcam } from './webcam.js';

/** @param {string} text */
function status(text) {
  byId('people-status').textContent = text;
}

/** @param {string} text */
function showError(text) {
  byId('people-error').textContent = text;
}

/** @param {string} name */
function personPath(name) {
  return `/api/people/${encodeURIComponent(name)}`;
}

/**
 * @param {string} name
 * @param {unknown} photo
 */
function photoItem(name, photo) {
  const id = str(photo, 'photo_id') ?? '';
  const filename = str(photo, 'filename');
  const score = num(photo, 'score');
  const enrolled = str(photo, 'enrolled_at');
  const image = el('img', { class: 'thumb', width: 112, height: 112, loading: 'lazy' });
  image.alt = `${name}, ${filename ?? `photo ${id}`}`;
  image.src = `${personPath(name)}/photos/${encodeURIComponent(id)}/thumbnail`;
  const remove = el('button', {
    type: 'button',
    class: 'small',
    text: 'Delete photo',
    'aria-label': `Delete photo ${filename ?? id} of ${name}`,
  });
  remove.addEventListener('click', async () => {
    const answer = await api(`${personPath(name)}/photos/${encodeURIComponent(id)}`, { method: 'DELETE' });
    if (answer.ok) status(`deleted a photo of ${name}`);
    else showError(`could not delete the photo: ${errorText(answer)}`);
    await refreshPeople();
  });
  const details = [
    filename ?? id,
    score === undefined ? '' : `face score ${score.toFixed(3)}`,
    enrolled ? new Date(enrolled).toLocaleString() : '',
  ]
    .filter((t) => t !== '')
    .join(' · ');
  return el('li', { class: 'photo' }, [image, el('span', { class: 'photo-meta', text: details }), remove]);
}

/**
 * @param {string} name
 * @param {number} count
 */
async function personCard(name, count) {
  const remove = el('button', {
    type: 'button',
    class: 'danger',
    text: 'Delete person',
    'aria-label': `Delete ${name}`,
  });
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete ${name} and all their photos? This cannot be undone.`)) return;
    const answer = await api(personPath(name), { method: 'DELETE' });
    if (answer.ok) status(`deleted ${name}`);
    else showError(`could not delete ${name}: ${errorText(answer)}`);
    await refreshPeople();
  });
  const photos = el('ul', { class: 'photos' });
  const detail = await api(personPath(name));
  if (detail.ok) for (const photo of list(detail.body, 'photos')) photos.append(photoItem(name, photo));
  else photos.append(el('li', { class: 'error', text: errorText(detail) }));
  return el('article', { class: 'person', 'data-name': name }, [
    el('h3', {}, [
      el('span', { class: 'person-name', text: name }),
      el('span', { class: 'count', text: ` ${count} photo${count === 1 ? '' : 's'}` }),
    ]),
    photos,
    remove,
  ]);
}

export async function refreshPeople() {
  const container = byId('people-list');
  const answer = await api('/api/people');
  if (!answer.ok) {
    container.replaceChildren();
    showError(errorText(answer));
    return;
  }
  const people = list(answer.body, 'people');
  const cards = [];
  for (const person of people) {
    const name = str(person, 'name');
    if (name !== undefined) cards.push(await personCard(name, num(person, 'photos') ?? 0));
  }
  container.replaceChildren(...(cards.length > 0 ? cards : [el('p', { text: 'Nobody is enrolled yet.' })]));
  container.setAttribute('aria-busy', 'false');
}

/**
 * @param {string} name
 * @param {{ blob: Blob, filename: string }[]} photos
 */
async function enrol(name, photos) {
  showError('');
  const failures = [];
  let done = 0;
  for (const { blob, filename } of photos) {
    status(`enrolling ${filename} as ${name}…`);
    const answer = await api(`${personPath(name)}/photos`, {
      method: 'POST',
      json: { content: await toBase64(blob), filename },
    });
    if (answer.ok) done += 1;
    else failures.push(`${filename}: ${errorText(answer)}`);
  }
  status(`enrolled ${done} of ${photos.length} photo${photos.length === 1 ? '' : 's'} as ${name}`);
  if (failures.length > 0) showError(failures.join('\n'));
  await refreshPeople();
}

export function setupPeople() {
  const form = byIdAs('enrol-form', HTMLFormElement);
  const nameInput = byIdAs('enrol-name', HTMLInputElement);
  const files = byIdAs('enrol-files', HTMLInputElement);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    const picked = Array.from(files.files ?? []);
    if (picked.length === 0) {
      showError('pick at least one photo');
      files.focus();
      return;
    }
    void enrol(
      name,
      picked.map((file) => ({ blob: file, filename: file.name })),
    ).finally(() => {
      files.value = '';
    });
  });
  const capture = byIdAs('enrol-capture', HTMLButtonElement);
  const video = byIdAs('enrol-video', HTMLVideoElement);
  capture.addEventListener('click', async () => {
    const name = nameInput.value.trim();
    if (name === '') {
      showError('type a name first');
      nameInput.focus();
      return;
    }
    /** @type {MediaStream | undefined} */
    let stream;
    try {
      stream = await startWebcam(video);
      // The first frames of a camera are often dark while it adjusts exposure.
      await new Promise((resolve) => setTimeout(resolve, 800));
      const blob = await captureJpeg(video);
      await enrol(name, [{ blob, filename: 'webcam.jpg' }]);
    } catch (error) {
      showError(`webcam: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      stopWebcam(video, stream);
    }
  });
}
