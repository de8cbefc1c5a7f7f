// Sign up and log in, and the "create your first workspace" screen.

import { api, session } from './api.js';
import { field } from './dialogs.js';
import { errorText, h } from './util.js';

export function authScreen(onDone) {
  let mode = 'login';
  const title = h('h1', { text: 'Log in to TeamChat' });
  const username = h('input', {
    name: 'username',
    autocomplete: 'username',
    required: true,
    maxlength: '32',
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const displayName = h('input', { name: 'display_name', autocomplete: 'name', maxlength: '80' });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const nameField = field('Your name (optional)', displayName);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary wide', text: 'Log in' });
  const switcher = h('button', { type: 'button', class: 'link' });
  const switchText = h('span', { class: 'muted' });
  const form = h(
    'form',
    { class: 'auth-form', 'aria-labelledby': 'auth-title' },
    title,
    field('Username', username, 'Letters, digits, dots, dashes and underscores.'),
    nameField,
    field('Password', password),
    error,
    submit,
    h('p', { class: 'auth-switch' }, switchText, ' ', switcher),
  );
  title.id = 'auth-title';
  const setMode = (m) => {
    mode = m;
    const login = m === 'login';
    title.textContent = login ? 'Log in to TeamChat' : 'Create your TeamChat account';
    submit.textContent = login ? 'Log in' : 'Sign up';
    switchText.textContent = login ? 'New here?' : 'Already have an account?';
    switcher.textContent = login ? 'Create an account' : 'Log in instead';
    nameField.hidden = login;
    password.autocomplete = login ? 'current-password' : 'new-password';
    error.hidden = true;
  };
  switcher.addEventListener('click', () => setMode(mode === 'login' ? 'signup' : 'login'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const u = username.value.trim();
      const res =
        mode === 'login'
          ? await api.login(u, password.value)
          : await api.register(u, password.value, displayName.value.trim());
      session.set(res.token);
      onDone(res.user);
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  setMode('login');
  setTimeout(() => username.focus(), 0);
  return h('div', { class: 'auth-screen' }, h('div', { class: 'auth-card' }, brand(), form));
}

function brand() {
  return h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'TeamChat');
}

export function firstWorkspaceScreen(me, onCreated, onLogout) {
  const name = h('input', { name: 'name', required: true, maxlength: '80', placeholder: 'e.g. Acme Inc' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'auth-form' },
    h('h1', { text: `Welcome, ${me.display_name || me.username}` }),
    h('p', {
      text: 'You are not in any workspace yet. Create one, or ask a workspace admin to add you by your username: ',
    }, h('strong', { text: `@${me.username}` })),
    field('New workspace name', name),
    error,
    h('button', { type: 'submit', class: 'primary wide', text: 'Create workspace' }),
    h('p', {}, h('button', { type: 'button', class: 'link', text: 'Check again', onclick: () => onCreated(null) }),
      ' · ',
      h('button', { type: 'button', class: 'link', text: 'Log out', onclick: onLogout })),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const ws = await api.createWorkspace(name.value.trim());
      onCreated(ws);
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
    }
  });
  setTimeout(() => name.focus(), 0);
  return h('div', { class: 'auth-screen' }, h('div', { class: 'auth-card' }, brand(), form));
}
