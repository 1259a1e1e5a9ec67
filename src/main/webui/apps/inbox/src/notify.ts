// Notifications for a message in a conversation that is not open, or while the tab is hidden:
// a browser notification (permission asked on a click, never on load), an optional sound, and the
// unread count in the tab title. Only one tab of the same agent rings: the one that holds the
// agent's Web Lock (the others wait for it; when that tab closes, the next one takes over).
const MUTE_KEY = 'wagateway-inbox:muted';

export class Notifier {
  muted: boolean;
  private leader = false;

  constructor(private userId: string) {
    this.muted = readMuted();
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    if (locks?.request) {
      locks.request('wagateway-inbox-ring:' + userId, () => {
        this.leader = true;
        return new Promise<void>(() => {}); // held while the tab lives
      }).catch(() => { this.leader = true; });
    } else {
      this.leader = true;
    }
  }

  get permission(): NotificationPermission | 'unsupported' {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  }

  /** Called from a click only. */
  async enable() {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') {
      await Notification.requestPermission();
    }
    this.setMuted(false);
  }

  setMuted(muted: boolean) {
    this.muted = muted;
    try { localStorage.setItem(MUTE_KEY, muted ? '1' : '0'); } catch { /* private mode */ }
  }

  notify(title: string, body: string, tag: string) {
    if (this.muted || !this.leader) return;
    if (this.permission === 'granted' && (document.visibilityState !== 'visible' || !document.hasFocus())) {
      try {
        const n = new Notification(title, { body: body.slice(0, 140), tag, silent: true });
        n.onclick = () => { window.focus(); n.close(); };
      } catch { /* some browsers allow notifications only from a service worker */ }
    }
    beep();
  }
}

function readMuted() {
  try { return localStorage.getItem(MUTE_KEY) === '1'; } catch { return false; }
}

let audio: AudioContext | null = null;
/** A short two-tone chime made in the page (no audio file, nothing fetched). */
function beep() {
  try {
    // made on the agent's first click (unlockAudio), never here: creating an AudioContext is slow,
    // and before a gesture browsers refuse sound anyway
    if (!audio || audio.state !== 'running') return;
    const t = audio.currentTime;
    for (const [i, f] of [880, 1320].entries()) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t + i * 0.12);
      g.gain.exponentialRampToValueAtTime(0.08, t + i * 0.12 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.12 + 0.18);
      o.connect(g).connect(audio.destination);
      o.start(t + i * 0.12);
      o.stop(t + i * 0.12 + 0.2);
    }
  } catch { /* no sound */ }
}

/** Resumes the page's audio after a click, so that later chimes may play. */
export function unlockAudio() {
  if (audio && audio.state === 'running') return;
  try {
    const Ctx = window.AudioContext;
    if (!Ctx) return;
    audio ??= new Ctx();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
  } catch { /* no sound */ }
}
