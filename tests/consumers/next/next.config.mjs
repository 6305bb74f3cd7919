// One app, two builds: NEXT_DIST_DIR keeps the Turbopack and webpack outputs apart.
export default {
  distDir: process.env.NEXT_DIST_DIR || ".next",
};
