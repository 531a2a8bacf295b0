// @ts-check
import { refreshHealth } from './health.js';
import { refreshPeople, setupPeople } from './people.js';
import { setupRecognise } from './recognise.js';

const VIEWS = ['recognise', 'people', 'health'];
const HEALTH_EVERY_MS = 2000;
/** @type {ReturnType<typeof setInterval> | undefined} */
let healthTimer;

function show() {
  const wanted = location.hash.slice(1);
  const view = VIEWS.includes(wanted) ? wanted : 'recognise';
  for (const name of VIEWS) {
    const section = document.getElementById(`view-${name}`);
    if (section) section.hidden = name !== view;
  }
  for (const link of document.querySelectorAll('nav a')) {
    if (link instanceof HTMLElement && link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  clearInterval(healthTimer);
  if (view === 'health') {
    void refreshHealth();
    healthTimer = setInterval(() => void refreshHealth(), HEALTH_EVERY_MS);
  }
  if (view === 'people') void refreshPeople();
  document.title = `FRS console · ${view[0]?.toUpperCase()}${view.slice(1)}`;
}

setupRecognise();
setupPeople();
window.addEventListener('hashchange', () => {
  show();
  document.getElementById('main')?.focus();
});
show();
