#!/usr/bin/env node
// A committed entry point (not dist/main.js) so `npm ci` links the bin before the first build.
import "../dist/main.js";
