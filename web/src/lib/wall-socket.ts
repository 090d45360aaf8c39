import { wallSocketEvents } from '@kpiwall/shared/wall';
import { io, type Socket } from 'socket.io-client';
import type { WallConnection } from './wall-connection.svelte.ts';

// Payloads are `unknown` on purpose: nothing is used before the zod schemas accept it.
interface ServerToClient {
  [wallSocketEvents.snapshot]: (payload: unknown) => void;
  [wallSocketEvents.delta]: (payload: unknown) => void;
}

interface ClientToServer {
  [wallSocketEvents.resync]: () => void;
}

/**
 * Connects a wall to the aggregator's Socket.IO server on this page's origin and keeps it
 * connected. Returns the function that closes the socket and stops the clock.
 */
export const connectWall = (connection: WallConnection): (() => void) => {
  const socket: Socket<ServerToClient, ClientToServer> = io();

  socket.on('connect', () => {
    connection.markConnected();
  });
  socket.on('disconnect', (reason) => {
    connection.markDisconnected();
    // Socket.IO reconnects by itself except when the server closed the socket on purpose;
    // a wall must come back in that case too (e.g. an aggregator restart or deploy).
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on(wallSocketEvents.snapshot, (payload) => {
    connection.applySnapshot(payload);
  });
  socket.on(wallSocketEvents.delta, (payload) => {
    if (connection.applyDelta(payload) === 'resync') socket.emit(wallSocketEvents.resync);
  });

  const clock = setInterval(() => {
    connection.tick();
  }, 1_000);

  return () => {
    clearInterval(clock);
    socket.off();
    socket.disconnect();
  };
};
