// A small emoji picker: a searchable grid in a popover, keyboard friendly.

import { h } from './util.js';

export const EMOJI = [
  ['👍', 'thumbs up yes +1'],
  ['👎', 'thumbs down no -1'],
  ['😀', 'grinning smile happy'],
  ['😂', 'joy laugh tears'],
  ['🤣', 'rofl rolling laugh'],
  ['😊', 'blush smile'],
  ['😍', 'heart eyes love'],
  ['🙂', 'slight smile'],
  ['😉', 'wink'],
  ['😎', 'cool sunglasses'],
  ['🤔', 'thinking hmm'],
  ['😮', 'open mouth wow surprised'],
  ['😢', 'cry sad tear'],
  ['😭', 'sob crying'],
  ['😡', 'angry rage'],
  ['😅', 'sweat smile relief'],
  ['🙃', 'upside down'],
  ['😴', 'sleeping tired'],
  ['🤯', 'mind blown exploding'],
  ['🥳', 'party celebrate'],
  ['🙏', 'pray thanks please'],
  ['👏', 'clap applause'],
  ['🙌', 'raised hands hooray'],
  ['👀', 'eyes looking'],
  ['💪', 'muscle strong'],
  ['👋', 'wave hello bye'],
  ['🤝', 'handshake deal'],
  ['✅', 'check done yes'],
  ['❌', 'cross no wrong'],
  ['⚠️', 'warning caution'],
  ['❤️', 'heart love red'],
  ['💔', 'broken heart'],
  ['🔥', 'fire hot lit'],
  ['⭐', 'star'],
  ['✨', 'sparkles shiny'],
  ['🎉', 'tada party celebration'],
  ['🚀', 'rocket ship launch'],
  ['💯', 'hundred perfect'],
  ['💡', 'bulb idea'],
  ['🐛', 'bug insect'],
  ['🔧', 'wrench fix tool'],
  ['📌', 'pin pushpin'],
  ['📎', 'paperclip attach'],
  ['📅', 'calendar date'],
  ['⏰', 'alarm clock time'],
  ['☕', 'coffee tea'],
  ['🍕', 'pizza food'],
  ['🍺', 'beer drink'],
  ['🎂', 'cake birthday'],
  ['🏆', 'trophy win'],
  ['🤷', 'shrug dunno'],
  ['🤦', 'facepalm'],
  ['😬', 'grimace awkward'],
  ['🥲', 'smile tear'],
  ['😇', 'innocent angel halo'],
  ['🤖', 'robot bot'],
  ['👻', 'ghost'],
  ['💩', 'poop'],
  ['🐱', 'cat'],
  ['🐶', 'dog'],
  ['🌈', 'rainbow'],
  ['☀️', 'sun sunny'],
  ['🌧️', 'rain cloud'],
  ['❄️', 'snow cold'],
  ['➕', 'plus add'],
  ['❓', 'question'],
  ['❗', 'exclamation'],
  ['🆗', 'ok'],
];

let openPicker = null;

export function closeEmojiPicker() {
  if (!openPicker) return;
  const { el, anchor, onDocClick } = openPicker;
  openPicker = null;
  document.removeEventListener('mousedown', onDocClick, true);
  el.remove();
  if (anchor && document.contains(anchor)) anchor.focus();
}

// Open a picker next to `anchor`; `onPick(emoji)` is called with the chosen emoji.
export function openEmojiPicker(anchor, onPick, label = 'Pick an emoji') {
  closeEmojiPicker();
  const grid = h('div', { class: 'emoji-grid', role: 'listbox', 'aria-label': label });
  const filter = h('input', {
    type: 'search',
    class: 'emoji-filter',
    placeholder: 'Search emoji',
    'aria-label': 'Search emoji',
  });
  const el = h(
    'div',
    { class: 'popover emoji-picker', role: 'dialog', 'aria-label': label },
    filter,
    grid,
  );
  const pick = (emoji) => {
    closeEmojiPicker();
    onPick(emoji);
  };
  const draw = () => {
    const words = filter.value.trim().toLowerCase();
    const buttons = EMOJI.filter(([e, names]) => !words || names.includes(words) || e === words).map(
      ([e, names]) =>
        h('button', {
          type: 'button',
          class: 'emoji-choice',
          role: 'option',
          title: names.split(' ')[0],
          'aria-label': names.split(' ')[0],
          text: e,
          onclick: () => pick(e),
        }),
    );
    grid.replaceChildren(...buttons);
  };
  filter.addEventListener('input', draw);
  filter.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const first = grid.querySelector('button');
      if (first) first.click();
    } else if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      grid.querySelector('button')?.focus();
    }
  });
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      closeEmojiPicker();
      return;
    }
    const buttons = [...grid.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const cols = 8;
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols };
    if (ev.key in moves) {
      ev.preventDefault();
      const j = i + moves[ev.key];
      if (j < 0) filter.focus();
      else buttons[Math.min(j, buttons.length - 1)].focus();
    }
  });
  draw();
  document.body.append(el);
  position(el, anchor);
  const onDocClick = (ev) => {
    if (!el.contains(ev.target) && ev.target !== anchor) closeEmojiPicker();
  };
  document.addEventListener('mousedown', onDocClick, true);
  openPicker = { el, anchor, onDocClick };
  filter.focus();
}

export function position(el, anchor) {
  const r = anchor.getBoundingClientRect();
  const w = el.offsetWidth;
  const hgt = el.offsetHeight;
  let left = Math.min(r.left, window.innerWidth - w - 8);
  let top = r.top - hgt - 6;
  if (top < 8) top = Math.min(r.bottom + 6, window.innerHeight - hgt - 8);
  left = Math.max(8, left);
  el.style.left = `${left}px`;
  el.style.top = `${Math.max(8, top)}px`;
}
