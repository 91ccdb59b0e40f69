import { defineScenarios } from "./lib/scenarios.js";

defineScenarios("sveltekit-flask", { typedClient: false });
