from fastapi import FastAPI

app = FastAPI()


@app.get("/ping", status_code=200)
async def ping() -> dict[str, bool]:
    # TODO: answer pong
    return {"pong": False}
