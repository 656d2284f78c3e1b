import type { Driver } from "./driver.js";
import { SimulatedDriver } from "./simulated.js";

/**
 * Drivers by name (`JobDevice.driver`). The prober's composition root registers the built-in
 * `simulated` driver and plugs in others (e.g. `snmp` from ./snmp) with `register`.
 */
export class DriverRegistry {
  private readonly drivers = new Map<string, Driver>();

  register(driver: Driver): this {
    this.drivers.set(driver.name, driver);
    return this;
  }

  get(name: string): Driver | undefined {
    return this.drivers.get(name);
  }

  names(): string[] {
    return [...this.drivers.keys()];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.drivers.values()].map((d) => d.close?.()));
  }
}

/** The registry with the drivers this package ships. */
export function createDriverRegistry(extra: Driver[] = []): DriverRegistry {
  const registry = new DriverRegistry().register(new SimulatedDriver());
  for (const driver of extra) registry.register(driver);
  return registry;
}
