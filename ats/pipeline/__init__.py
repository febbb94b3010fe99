"""The recruiters' pages: the dashboard (boards and application pages to come)."""
