"""Chapter 20, exercise 1: settings through a dependency.

The shop reads its configuration with pydantic-settings, which is right, but it builds the
`Settings` object once, while the module is imported, and the endpoints read that global. A
test cannot hand the app other settings, and an environment variable set after the import is
never seen. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch20_settings_lifespan/test_ex01_settings_dependency.py

The lesson: lessons/ch20_settings_lifespan.md
"""

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Read from SHOP_APP_NAME and SHOP_MAINTENANCE_MODE (or their defaults)."""

    model_config = SettingsConfigDict(env_prefix="SHOP_")

    app_name: str = "Fastlings shop"
    maintenance_mode: bool = False


# TODO: the environment is read here, once, while the module is imported. A test that sets an
# environment variable afterwards, or that overrides `get_settings`, cannot change what the
# endpoints see. Build the settings when they are first asked for, and only once.
settings = Settings()


def get_settings() -> Settings:
    return settings


class OrderCreate(BaseModel):
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(gt=0, le=100)


class OrderRead(OrderCreate):
    shop: str


app = FastAPI(title="Fastlings shop")


# TODO: both endpoints read the module-level `settings`, so `app.dependency_overrides` has
# nothing to replace. Let each endpoint ask for the settings it needs.
@app.get("/status")
async def shop_status() -> dict[str, str | bool]:
    return {"app_name": settings.app_name, "maintenance_mode": settings.maintenance_mode}


@app.post("/orders", status_code=status.HTTP_201_CREATED)
async def create_order(payload: OrderCreate) -> OrderRead:
    if settings.maintenance_mode:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail="Down for maintenance"
        )
    return OrderRead(shop=settings.app_name, **payload.model_dump())
