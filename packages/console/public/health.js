// @ts-check
import { api, errorText, list, num, str } from './api.js';
import { byId, el } from './dom.js';

/** @param {number | undefined} n */
function count(n) {
  return n === undefined ? '–' : String(n);
}

export async function refreshHealth() {
  const answer = await api('/api/health');
  const updated = byId('health-updated');
  if (!answer.ok) {
    updated.textContent = `could not read health: ${errorText(answer)}`;
    return;
  }
  const rows = list(answer.body, 'queues').map((queue) => {
    const role = str(queue, 'role') ?? '?';
    const error = str(queue, 'error');
    const dlq = role.endsWith('DLQ') && (num(queue, 'visible') ?? 0) > 0;
    return el('tr', { class: dlq ? 'alarm' : '', 'data-role': role }, [
      el('th', { scope: 'row', text: role }),
      el('td', { class: 'num', text: error === undefined ? count(num(queue, 'visible')) : 'error' }),
      el('td', { class: 'num', text: count(num(queue, 'in_flight')) }),
      el('td', { class: 'num', text: count(num(queue, 'delayed')) }),
      el('td', { class: 'mono', text: error ?? str(queue, 'url') ?? '' }),
    ]);
  });
  byId('queues').replaceChildren(...rows);
  const errors = list(answer.body, 'errors').map((entry) => {
    const status = num(entry, 'status');
    const requestId = str(entry, 'request_id');
    const parts = [
      new Date(str(entry, 'at') ?? Date.now()).toLocaleTimeString(),
      str(entry, 'source') ?? '',
      status === undefined ? '' : `HTTP ${status}`,
      str(entry, 'message') ?? '',
      requestId ?? '',
    ];
    return el('li', { text: parts.filter((p) => p !== '').join(' · ') });
  });
  byId('errors').replaceChildren(
    ...(errors.length > 0 ? errors : [el('li', { class: 'none', text: 'none' })]),
  );
  const pending = num(answer.body, 'pending') ?? 0;
  updated.textContent = `updated ${new Date().toLocaleTimeString()} · ${pending} frame${pending === 1 ? '' : 's'} waiting for a result`;
}
