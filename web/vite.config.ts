import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit({ adapter: adapter() })],
  server: {
    // `vite dev` serves the page; live data comes from a running aggregator.
    proxy: { '/socket.io': { target: 'http://localhost:8080', ws: true } },
  },
});
