"""Chapter 20, exercise 1: the reference solution.

`get_settings` builds the `Settings` on its first call and caches it (`lru_cache`), so nothing
reads the environment at import time. Endpoints receive the settings through
`Depends(get_settings)`: a test swaps them with `app.dependency_overrides[get_settings]`, and
`get_settings.cache_clear()` makes the next call read the environment again.
"""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Read from SHOP_APP_NAME and SHOP_MAINTENANCE_MODE (or their defaults)."""

    model_config = SettingsConfigDict(env_prefix="SHOP_")

    app_name: str = "Fastlings shop"
    maintenance_mode: bool = False


# Built on the first call, then the same object for every request (no environment read per
# request). The import itself reads nothing.
@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


class OrderCreate(BaseModel):
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(gt=0, le=100)


class OrderRead(OrderCreate):
    shop: str


app = FastAPI(title="Fastlings shop")


# Each endpoint asks for the settings, so an override replaces them for that app only.
@app.get("/status")
async def shop_status(settings: SettingsDep) -> dict[str, str | bool]:
    return {"app_name": settings.app_name, "maintenance_mode": settings.maintenance_mode}


@app.post("/orders", status_code=status.HTTP_201_CREATED)
async def create_order(payload: OrderCreate, settings: SettingsDep) -> OrderRead:
    if settings.maintenance_mode:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail="Down for maintenance"
        )
    return OrderRead(shop=settings.app_name, **payload.model_dump())
