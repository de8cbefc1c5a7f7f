// Modal dialogs on <dialog>: focus trapping and Escape come from the browser.

import { displayName, presenceOf } from './store.js';
import { errorText, h } from './util.js';
import { avatar, presenceDot } from './render.js';

// A form dialog. `submit(form)` may throw: the error is shown inside the dialog and
// the dialog stays open with everything typed in it.
export function formDialog({ title, fields, submitLabel = 'Save', submit, wide = false }) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submitBtn = h('button', { type: 'submit', class: 'primary', text: submitLabel });
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form' },
    h('h2', { text: title, id: `dlg-${Math.random().toString(36).slice(2)}` }),
    fields,
    error,
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', text: 'Cancel', onclick: () => close() }),
      submitBtn,
    ),
  );
  const dialog = h('dialog', { class: wide ? 'wide' : '' }, form);
  dialog.setAttribute('aria-labelledby', form.querySelector('h2').id);
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    submitBtn.disabled = true;
    try {
      const keepOpen = await submit(form);
      if (!keepOpen) close();
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
    } finally {
      submitBtn.disabled = false;
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = form.querySelector('input:not([type=hidden]), select, textarea');
  if (first) first.focus();
  return { dialog, close, setError: (msg) => ((error.textContent = msg), (error.hidden = false)) };
}

export function confirmDialog(title, text, confirmLabel = 'OK', danger = false) {
  return new Promise((resolve) => {
    let answered = false;
    const { dialog } = formDialog({
      title,
      fields: h('p', { text }),
      submitLabel: confirmLabel,
      submit: async () => {
        answered = true;
        resolve(true);
      },
    });
    if (danger) dialog.querySelector('button.primary').classList.add('danger');
    dialog.addEventListener('close', () => {
      if (!answered) resolve(false);
    });
  });
}

export function field(label, input, hint) {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label', text: label }),
    input,
    hint ? h('span', { class: 'hint', text: hint }) : null,
  );
}

// A filterable checklist of users; returns {el, selected(): ids}.
export function userChecklist(users, { label = 'People', multi = true } = {}) {
  const filter = h('input', { type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter people' });
  const list = h('ul', { class: 'user-checklist', 'aria-label': label });
  const chosen = new Set();
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const rows = users
      .filter(
        (u) =>
          !q || u.username.toLowerCase().includes(q) || displayName(u).toLowerCase().includes(q),
      )
      .map((u) => {
        const box = h('input', {
          type: multi ? 'checkbox' : 'radio',
          name: 'pick-user',
          value: u.id,
          checked: chosen.has(u.id),
          'aria-label': `${displayName(u)} (@${u.username})`,
        });
        box.addEventListener('change', () => {
          if (!multi) chosen.clear();
          if (box.checked) chosen.add(u.id);
          else chosen.delete(u.id);
        });
        return h(
          'li',
          {},
          h(
            'label',
            { class: 'user-row' },
            box,
            avatar(u, 'sm'),
            presenceDot(presenceOf(u.id)),
            h('span', { class: 'name', text: displayName(u) }),
            h('span', { class: 'muted', text: `@${u.username}` }),
          ),
        );
      });
    list.replaceChildren(...(rows.length ? rows : [h('li', { class: 'muted', text: 'Nobody matches.' })]));
  };
  filter.addEventListener('input', draw);
  draw();
  return { el: h('div', { class: 'checklist-wrap' }, filter, list), selected: () => [...chosen] };
}
