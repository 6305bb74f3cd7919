import Models from "./models";

export default function Page() {
  return <Models />;
}
