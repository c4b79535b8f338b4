"""The service's routes, one module per resource; `api.app` includes every router."""

from api.routes import checks, compare, health, plans, replan, solves, web, workbooks

ROUTERS = (
    solves.router,
    compare.router,
    replan.router,
    plans.router,
    checks.router,
    workbooks.router,
    web.router,
    health.router,
)
