# Bundled example: run by CPython 3.12 (a preview1 program) under eddy, with this directory
# preopened as /examples. It reads a file beside it and writes one back.
import json, os, sys

with open('/examples/planets.json') as f:
    planets = json.load(f)
print(f"hello from CPython {sys.version.split()[0]} on {sys.platform}")
for p in sorted(planets, key=lambda p: p['moons']):
    print(f"  {p['name']:<8} {p['moons']:>3} moons")
with open('/examples/summary.txt', 'w') as f:
    f.write(f"{len(planets)} planets, {sum(p['moons'] for p in planets)} moons\n")
print("wrote", sorted(os.listdir('/examples')))
