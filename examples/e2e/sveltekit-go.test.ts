import { defineScenarios } from "./lib/scenarios.js";

defineScenarios("sveltekit-go", { typedClient: true });
