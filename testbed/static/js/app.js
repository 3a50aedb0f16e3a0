// The page: scene flow, matchmaking, transport (DataChannel or relay), the fixed-rate game
// loop around the pure engine, exports, and the browser test API (window.game, window.testbed).

import { Session } from './engine/session.js';
import { InputState } from './input.js';
import { NetConditioner } from './net.js';
import { PeerLink } from './peer.js';
import { Renderer } from './render.js';
import { ServerSocket } from './socket.js';

const MAX_EARLY_SIGNALS = 64; // signals kept until the peer link exists (an offer, candidates)
const P2P_TIMEOUT_MS = 5000; // without an open DataChannel by then, packets go through the server
const PARTNER_GRACE_MS = 5000; // a finished partner left: time to settle our last frames
const MAX_FRAMES_PER_WAKE = 5; // catch-up limit per timer callback
const MAX_BACKLOG_SECONDS = 2; // a longer stall (e.g. a throttled tab) is dropped, not replayed
const UPLOAD_ATTEMPTS = 5;
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const params = new URLSearchParams(location.search);
const forceRelay = params.get('p2p') === '0';
const net = NetConditioner.fromQuery(params);
const input = new InputState();
input.attach(window);

function generatedSubjectId() {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `s-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// The contract's fields, and nothing else; tests read them, only this module writes them.
const game = {
  gameId: null,
  playerId: null,
  subjectId: params.get('subject') || generatedSubjectId(),
  sceneId: null,
  frameNumber: 0,
  stepNum: 0,
  numEpisodes: 0,
  rollbackCount: 0,
  maxRollbackDepth: 0,
  isFocused: !document.hidden,
  p2pConnected: false,
  scene: 'start',
  episodesUploaded: 0,
  endReason: null,
  transport: null,
};
window.game = game;
window.testbed = Object.freeze({
  net: Object.freeze({
    configure: (options) => net.configure(options),
    stats: () => net.stats(),
  }),
  input: Object.freeze({ set: (action) => input.set(action) }),
});

const $ = (id) => document.getElementById(id);
const state = {
  socket: null,
  peer: null,
  session: null,
  match: null,
  timer: null,
  p2pTimer: null,
  earlySignals: [], // the partner's signals that overtook our 'match' (two sockets, no order)
  started: false,
  over: false,
  renderer: null,
  uploads: [],
};

function showScene(scene) {
  for (const section of document.querySelectorAll('.scene')) {
    section.hidden = section.dataset.scene !== scene;
  }
  game.scene = scene;
}

function setWaitroomStatus(text) {
  $('waitroomStatus').textContent = text;
}

// ---- scene flow -------------------------------------------------------------------------

$('advanceButton').addEventListener('click', () => showScene('instructions'));
$('startButton').addEventListener('click', () => enterWaitroom());
$('leaveButton').addEventListener('click', () => {
  if (state.socket) {
    state.socket.send({ type: 'leave' });
    state.socket.close();
  }
  finish(null, 'You left the waiting room. You may close this page.');
});

async function enterWaitroom() {
  showScene('waitroom');
  if (!SAFE_ID.test(game.subjectId) || game.subjectId.includes('..')) {
    finish(null, `The subject id "${game.subjectId}" is not valid.`);
    return;
  }
  const socket = new ServerSocket();
  state.socket = socket;
  socket
    .on('waiting', () => setWaitroomStatus('Waiting for another participant to join...'))
    .on('match', (message) => startMatch(message))
    .on('signal', (message) => {
      if (state.peer) state.peer.handleSignal(message.data);
      else if (state.earlySignals.length < MAX_EARLY_SIGNALS) state.earlySignals.push(message.data);
    })
    .on('relay', (message) => receivePacket(message.packet))
    .on('partner_left', (message) => partnerLeft(message.partnerFinished === true))
    .on('game_done', () => stopLoop())
    .on('error', (message) => {
      console.warn(`server: ${message.message}`);
      if (game.scene === 'waitroom' && !state.match) finish(null, `Cannot join: ${message.message}`);
    })
    .on('pong', () => {});
  socket.onclose = () => serverLost();
  try {
    await socket.connect();
  } catch {
    finish(null, 'Cannot reach the game server. Please try again later.');
    return;
  }
  socket.send({ type: 'join', subjectId: game.subjectId });
}

// ---- match and transport ----------------------------------------------------------------

function startMatch(match) {
  if (state.match) return;
  state.match = match;
  game.gameId = match.gameId;
  game.playerId = match.playerIndex;
  game.sceneId = match.sceneId;
  setWaitroomStatus('Partner found. Connecting...');

  const session = new Session({
    playerIndex: match.playerIndex,
    seed: match.seed,
    maxSteps: match.maxSteps,
    episodes: match.episodes,
    inputDelay: match.inputDelay,
    meta: {
      gameId: match.gameId,
      sceneId: match.sceneId,
      subjectId: game.subjectId,
      experimentId: match.experimentId,
    },
  });
  session.onSend = (packet) => sendPacket(packet);
  session.onEpisodeEnd = (episode, rows) => upload(episode, rows);
  session.onGameEnd = () => gameEnded();
  if (document.hidden) session.setFocused(false, performance.now());
  state.session = session;

  if (forceRelay) {
    setTransport('relay');
    begin();
    return;
  }
  const peer = new PeerLink({
    initiator: match.playerIndex === 0,
    sendSignal: (data) => state.socket.send({ type: 'signal', data }),
  });
  peer.onopen = () => {
    game.p2pConnected = true;
    setTransport('p2p');
    begin();
  };
  peer.onmessage = (text) => {
    let packet;
    try {
      packet = JSON.parse(text);
    } catch {
      return;
    }
    receivePacket(packet);
  };
  peer.onclose = () => {
    game.p2pConnected = false;
    if (game.transport === 'p2p' && !state.over) setTransport('relay');
  };
  state.peer = peer;
  // The server sends 'match' to player 0 first: its offer can reach us before our own 'match'.
  for (const data of state.earlySignals.splice(0)) peer.handleSignal(data);
  peer.start().catch((error) => console.warn('peer: cannot create an offer', error));
  state.p2pTimer = setTimeout(() => {
    if (!peer.isOpen) {
      console.warn(`peer: no DataChannel after ${P2P_TIMEOUT_MS} ms, using the relay`);
      setTransport('relay');
      begin();
    }
  }, P2P_TIMEOUT_MS);
}

function setTransport(transport) {
  if (game.transport === transport) return;
  game.transport = transport;
  if (state.socket) state.socket.send({ type: 'status', transport });
}

// Outgoing packets: serialised now, then conditioned, then sent on the current transport.
function sendPacket(packet) {
  const text = JSON.stringify(packet);
  net.send(() => {
    if (game.transport === 'p2p' && state.peer && state.peer.send(text)) return;
    if (state.socket && state.socket.isOpen) {
      state.socket.send({ type: 'relay', packet: JSON.parse(text) });
    }
  });
}

function receivePacket(packet) {
  if (state.session && packet !== null && typeof packet === 'object') {
    state.session.receive(packet, performance.now());
  }
}

// ---- game loop --------------------------------------------------------------------------

function begin() {
  if (state.started || state.over) return;
  state.started = true;
  clearTimeout(state.p2pTimer);
  showScene('playing');
  const canvas = $('gameCanvas');
  state.renderer = new Renderer(canvas);
  canvas.focus();
  const frameMs = 1000 / state.match.fps;
  const maxBacklog = Math.ceil(MAX_BACKLOG_SECONDS * state.match.fps);
  let origin = performance.now();
  let frames = 0;
  const wake = () => {
    const now = performance.now();
    let due = Math.floor((now - origin) / frameMs);
    if (due - frames > maxBacklog) {
      origin = now - frames * frameMs; // forget the stall instead of racing through it
      due = frames;
    }
    let ran = 0;
    while (frames < due && ran < MAX_FRAMES_PER_WAKE && state.session) {
      frames += 1;
      ran += 1;
      state.session.tick(input.current(), performance.now());
      updateGameFields();
    }
    if (ran > 0) draw();
  };
  state.timer = setInterval(wake, Math.max(1, Math.floor(frameMs / 2)));
  wake();
}

function updateGameFields() {
  const stats = state.session.stats;
  game.frameNumber = stats.frameNumber;
  game.stepNum = stats.stepNum;
  game.numEpisodes = stats.numEpisodes;
  game.rollbackCount = stats.rollbackCount;
  game.maxRollbackDepth = stats.maxRollbackDepth;
  game.isFocused = stats.isFocused;
  game.p2pConnected = state.peer !== null && state.peer.isOpen;
}

function draw() {
  if (!state.renderer || game.scene !== 'playing') return;
  state.renderer.draw(state.session.view(), {
    playerIndex: game.playerId,
    stats: state.session.stats,
    maxSteps: state.match.maxSteps,
    episodes: state.match.episodes,
  });
  $('hudEpisode').textContent = `Episode ${Math.min(game.numEpisodes + 1, state.match.episodes)}/${state.match.episodes}`;
  $('hudStep').textContent = `Step ${game.stepNum}/${state.match.maxSteps}`;
  $('hudTransport').textContent = game.transport === 'p2p' ? 'direct' : 'via server';
}

document.addEventListener('visibilitychange', () => {
  // Read at event time: tests override document.hidden before dispatching the event.
  const focused = !document.hidden;
  if (state.session) {
    state.session.setFocused(focused, performance.now());
    game.isFocused = state.session.stats.isFocused;
  } else {
    game.isFocused = focused;
  }
});

// ---- exports ----------------------------------------------------------------------------

function upload(episode, rows) {
  if (!Array.isArray(rows) || rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const body = JSON.stringify({
    experimentId: state.match.experimentId,
    sceneId: state.match.sceneId,
    subjectId: game.subjectId,
    gameId: state.match.gameId,
    episode,
    columns,
    rows: rows.map((row) => columns.map((column) => row[column] ?? null)),
  });
  const pending = postExport(body, episode);
  state.uploads.push(pending);
  pending.finally(() => updateUploadStatus());
  updateUploadStatus();
}

async function postExport(body, episode) {
  for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt += 1) {
    let response = null;
    try {
      response = await fetch('/api/export', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
    } catch (error) {
      console.warn(`export of episode ${episode}: attempt ${attempt} failed`, error);
    }
    if (response !== null && response.ok) {
      game.episodesUploaded += 1;
      return true;
    }
    if (response !== null && response.status < 500) {
      const detail = await response.text();
      console.error(`export of episode ${episode} refused (${response.status}): ${detail}`);
      return false; // the same body would be refused again
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
  console.error(`export of episode ${episode}: giving up after ${UPLOAD_ATTEMPTS} attempts`);
  return false;
}

function updateUploadStatus() {
  if (game.scene !== 'end' || state.uploads.length === 0) return;
  const total = state.match ? state.match.episodes : state.uploads.length;
  $('uploadStatus').textContent =
    game.episodesUploaded >= total ? 'Your data has been saved.' : 'Saving your data...';
}

// ---- the end ----------------------------------------------------------------------------

function gameEnded() {
  if (state.socket) state.socket.send({ type: 'done' });
  finish('done', 'The game is over. Thank you for playing!');
  // The loop keeps running until the server reports game_done: the partner may still need
  // this page's packets to settle its own last frames.
}

function partnerLeft(partnerFinished) {
  if (state.over && game.endReason === 'done') return;
  if (!partnerFinished || !state.session) {
    abandon();
    return;
  }
  // The partner finished and left; our last frames may already be settled by what arrived.
  setTimeout(() => {
    if (!state.over) abandon();
  }, PARTNER_GRACE_MS);
}

function abandon() {
  stopNetworking();
  finish('partner_left', 'Your partner left the game, so the game has ended. Thank you for taking part.');
}

function serverLost() {
  if (state.over) return;
  if (game.scene === 'playing' && game.transport === 'p2p' && state.peer && state.peer.isOpen) {
    console.warn('socket: lost the server; the game goes on over the DataChannel');
    return;
  }
  stopNetworking();
  finish(null, 'The connection to the game server was lost.');
}

// Both players are done: nothing more to simulate or send. The DataChannel stays open
// (p2pConnected keeps describing it) until either page goes away.
function stopLoop() {
  clearInterval(state.timer);
  clearTimeout(state.p2pTimer);
  state.timer = null;
}

function stopNetworking() {
  stopLoop();
  if (state.peer) state.peer.close();
  game.p2pConnected = false;
}

function finish(reason, message) {
  if (state.over) return;
  state.over = true;
  game.endReason = reason;
  if (state.session) updateGameFields();
  if (reason !== 'done') stopNetworking();
  $('endTitle').textContent = reason === 'done' ? 'Game complete' : 'Game ended';
  $('endMessage').textContent = message;
  showScene('end');
  updateUploadStatus();
}
