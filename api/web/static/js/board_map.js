// The board's map: depots, visits coloured by technician, route lines in stop order, and the
// unassigned visits marked. Tiles come from the configured URL; without one (or offline) the
// points and lines still draw on a plain background.

const UNASSIGNED = "#b42318";

export class DayMap {
  constructor(element, { onVisit }) {
    const L = window.L;
    this.map = L.map(element, { zoomControl: true, attributionControl: true });
    const url = element.dataset.tileUrl;
    if (url) L.tileLayer(url, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(this.map);
    this.layer = L.layerGroup().addTo(this.map);
    this.onVisit = onVisit;
    this.map.setView([-6.2, 106.85], 11);
  }

  // routes: [{technician, colour, stops: [visit]}]; unassigned: [visit]
  draw({ routes, unassigned, depots, label }) {
    const L = window.L;
    this.layer.clearLayers();
    const points = [];
    for (const depot of depots) {
      const at = [depot.lat, depot.lon];
      points.push(at);
      L.marker(at, {
        icon: L.divIcon({ className: "", html: `<span class="depot" style="background:${depot.colour}"></span>`, iconSize: [14, 14] }),
        title: depot.title,
        keyboard: false,
      }).addTo(this.layer);
    }
    for (const route of routes) {
      const line = [[route.depot.lat, route.depot.lon], ...route.stops.map((v) => [v.lat, v.lon]), [route.depot.lat, route.depot.lon]];
      L.polyline(line, { color: route.colour, weight: 3, opacity: 0.8 }).addTo(this.layer);
      route.stops.forEach((v, i) => {
        points.push([v.lat, v.lon]);
        this._visit(v, { colour: route.colour, text: `${i + 1}. ${label(v)}` });
      });
    }
    for (const v of unassigned) {
      points.push([v.lat, v.lon]);
      this._visit(v, { colour: UNASSIGNED, text: `Unassigned: ${label(v)}`, dashed: true });
    }
    if (points.length) this.map.fitBounds(points, { padding: [18, 18], maxZoom: 14 });
  }

  _visit(v, { colour, text, dashed = false }) {
    const L = window.L;
    const marker = L.circleMarker([v.lat, v.lon], {
      radius: dashed ? 8 : 6,
      color: dashed ? UNASSIGNED : "#ffffff",
      weight: 2,
      dashArray: dashed ? "3 3" : null,
      fillColor: dashed ? "#ffffff" : colour,
      fillOpacity: 1,
      className: `visit-marker visit-${v.id}${dashed ? " unassigned-marker" : ""}`,
    }).addTo(this.layer);
    marker.bindTooltip(text);
    marker.on("click", () => this.onVisit(v.id));
  }

  resize() {
    this.map.invalidateSize();
  }
}
