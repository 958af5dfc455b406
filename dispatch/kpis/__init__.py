"""KPIs of after-sales service over the tables, by technician, region or week (docs/kpis.md)."""
